namespace Robotics.Hardware.Devices;

/// <summary>
/// A device on a slow bus (I2C, serial) served by a thread of its own: each period it reads every input in one
/// transaction and publishes the sample, and sends the latest outputs the loop handed over. The loop only ever
/// copies the latest sample and hands over outputs, so a slow or failing bus cannot stall it; a sample that
/// stops coming simply ages until the loop calls it stale. Bus errors are counted, and the thread keeps trying.
/// </summary>
public abstract class PolledDevice : IDevice
{
    private readonly LatestSample _inputs;
    private readonly LatestSample _outputs;
    private readonly float[] _pollBuffer;
    private readonly float[] _sendBuffer;
    private readonly TimeSpan _period;
    private readonly ManualResetEventSlim _stop = new();
    private Thread? _thread;
    private volatile bool _halted;
    private long _outputsStamp = long.MinValue;
    private long _sentStamp = long.MinValue;
    private long _errors;
    private long _polls;
    private readonly ThreadAllocationMeter _allocation = new();

    protected PolledDevice(string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, TimeSpan period)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        _period = period;
        _inputs = new LatestSample(inputs.Count);
        _outputs = new LatestSample(outputs.Count);
        _pollBuffer = new float[inputs.Count];
        _sendBuffer = new float[outputs.Count];
    }

    public string Name { get; }

    public IReadOnlyList<string> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Transactions that failed (NACK, timeout, CRC), counted for telemetry.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Successful input transactions.</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Bytes the device thread allocated after its warm-up (−1 before); it should stay 0.</summary>
    public long AllocatedBytes => _allocation.Bytes;

    public IReadOnlyDictionary<string, long> Counters
    {
        get
        {
            var counters = new Dictionary<string, long>(StringComparer.Ordinal) { ["polls"] = Polls, ["errors"] = Errors, ["allocated_bytes"] = AllocatedBytes };
            AddCounters(counters);
            return counters;
        }
    }

    public void Start()
    {
        Open();
        // The first sample before the loop's first tick, which would otherwise find none and fault.
        PollOnce();
        _thread = new Thread(Run) { IsBackground = true, Name = $"device-{Name}" };
        _thread.Start();
    }

    public long ReadLatest(Span<float> inputs) => _inputs.TryRead(inputs);

    public void WriteOutputs(ReadOnlySpan<float> outputs)
    {
        Interlocked.Increment(ref _outputsStamp);
        _outputs.Publish(outputs, Interlocked.Read(ref _outputsStamp));
    }

    public TimeSpan WorstSampleGap => _period + RetryCost;

    public virtual IReadOnlyList<string> Notes => [];

    public void Halt() => _halted = true;

    public void Resume() => _halted = false;

    /// <summary>Safe state, then stop polling and close the bus; a device whose start failed only closes what it opened.</summary>
    public void Stop()
    {
        _halted = true;
        _stop.Set();
        if (_thread is not null)
        {
            _thread.Join();
            SendSafe();
            Disarm();
        }
        Close();
    }

    public void Dispose()
    {
        if (_thread is { IsAlive: true })
        {
            Stop();
        }
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>How much later a sample comes when one transaction is lost and retried (an immediate retry: none).</summary>
    protected virtual TimeSpan RetryCost => TimeSpan.Zero;

    /// <summary>A driver's own counters beside polls and errors.</summary>
    protected virtual void AddCounters(Dictionary<string, long> counters)
    {
    }

    /// <summary>Opens the bus and checks the device answers (its ID, say).</summary>
    protected abstract void Open();

    /// <summary>One transaction reading every input; false on a bus error.</summary>
    protected abstract bool Poll(Span<float> inputs);

    /// <summary>One transaction writing every output; false on a bus error.</summary>
    protected abstract bool Send(ReadOnlySpan<float> outputs);

    /// <summary>Puts the outputs in their safe state (torque off, neutral).</summary>
    protected abstract void SendSafe();

    /// <summary>On a clean stop only, after the safe state and before closing: undo what protects a device from a dead controller (a bus watchdog).</summary>
    protected virtual void Disarm()
    {
    }

    protected abstract void Close();

    private void PollOnce()
    {
        if (Poll(_pollBuffer))
        {
            _inputs.Publish(_pollBuffer, Protos.MonotonicClock.NowNs());
            Interlocked.Increment(ref _polls);
        }
        else
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>
    /// Periods on a grid of the monotonic clock, <c>period_ms</c> apart however long each transaction takes; one that
    /// overruns starts the next at once rather than a burst to catch up.
    /// </summary>
    private void Run()
    {
        long periodNs = _period.Ticks * 100;
        long next = Protos.MonotonicClock.NowNs();
        do
        {
            try
            {
                Period();
            }
            catch (Exception)
            {
                // Not a bus error the driver knew (those return false): still only this device's failure. Counted,
                // and its sample ages into a fault; a dead thread would leave the actuators on their last command.
                Interlocked.Increment(ref _errors);
            }
            _allocation.Count();
            long now = Protos.MonotonicClock.NowNs();
            next = Math.Max(next + periodNs, now);
        }
        while (!_stop.Wait(TimeSpan.FromTicks(Math.Max(0, next - Protos.MonotonicClock.NowNs() + 99) / 100)));
    }

    /// <summary>One period: poll, then the safe state while halted, else the newest outputs not yet sent.</summary>
    private void Period()
    {
        PollOnce();
        if (_halted)
        {
            SendSafe();
            return;
        }
        long stamp = _outputs.TryRead(_sendBuffer);
        if (stamp != long.MinValue && stamp != _sentStamp)
        {
            if (Send(_sendBuffer))
            {
                _sentStamp = stamp;
            }
            else
            {
                Interlocked.Increment(ref _errors);
            }
        }
    }
}
