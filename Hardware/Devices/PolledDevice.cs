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
    // Set to start a period now rather than at its time: a halt (so the safe state goes out at once, not up to a
    // period later) or the stop.
    private readonly AutoResetEvent _wake = new(false);
    private volatile bool _stopping;
    private Thread? _thread;
    private volatile bool _halted;
    private volatile bool _safe;
    private long _outputsStamp = long.MinValue;
    private long _sentStamp = long.MinValue;
    private long _errors;
    private long _polls;
    private long _worstWakeLateNs;
    private long _lastSampleNs;
    private long _worstSampleGapNs;
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
            var counters = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["polls"] = Polls, ["errors"] = Errors, ["allocated_bytes"] = AllocatedBytes, ["worst_wake_late_us"] = Interlocked.Read(ref _worstWakeLateNs) / 1000,
                ["worst_sample_gap_us"] = Interlocked.Read(ref _worstSampleGapNs) / 1000,
            };
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

    public void Halt()
    {
        if (_halted)
        {
            // The loop halts on every tick a stop holds: only the first starts a halt.
            return;
        }
        _safe = false;
        _halted = true;
        _wake.Set();
    }

    public bool IsSafe => _halted && _safe;

    public void Resume() => _halted = false;

    public virtual HaltConfirmation HaltConfirmation => HaltConfirmation.Unknown;

    /// <summary>
    /// Safe state, then stop polling and close the bus; a device whose start failed only closes what it opened. A
    /// device that reads its safe state back tries again each period until it confirms or its budget runs out, so a
    /// stop is bounded by the budget however the hardware answers.
    /// </summary>
    public void Stop()
    {
        _halted = true;
        _stopping = true;
        _wake.Set();
        if (_thread is not null)
        {
            _thread.Join();
            long giveUpAt = Protos.MonotonicClock.NowNs() + HaltConfirmBudget.Ticks * 100;
            SendSafe();
            while (!SafeConfirmed && Protos.MonotonicClock.NowNs() < giveUpAt)
            {
                Thread.Sleep(_period);
                SendSafe();
            }
            _safe = SafeConfirmed;
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
        _wake.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>How much later a sample comes when one transaction is lost and retried (an immediate retry: none).</summary>
    protected virtual TimeSpan RetryCost => TimeSpan.Zero;

    /// <summary>Whether the latest <see cref="SendSafe"/> was confirmed by the hardware (a device that cannot tell: true).</summary>
    protected virtual bool SafeConfirmed => true;

    /// <summary>How long a stop keeps sending the safe state to hardware that has not confirmed it.</summary>
    protected virtual TimeSpan HaltConfirmBudget => TimeSpan.Zero;

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
            long now = Protos.MonotonicClock.NowNs();
            _inputs.Publish(_pollBuffer, now);
            Interlocked.Increment(ref _polls);
            if (_lastSampleNs != 0 && now - _lastSampleNs > Interlocked.Read(ref _worstSampleGapNs))
            {
                Interlocked.Exchange(ref _worstSampleGapNs, now - _lastSampleNs);
            }
            _lastSampleNs = now;
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
            // How late the thread woke for its period: a loaded machine, not the bus, when samples age.
            long late = Protos.MonotonicClock.NowNs() - next;
            if (late > Interlocked.Read(ref _worstWakeLateNs))
            {
                Interlocked.Exchange(ref _worstWakeLateNs, late);
            }
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
        while (!WaitForPeriod(next));
    }

    /// <summary>Sleeps until the period at <paramref name="next"/>, or less when woken; true when the device is stopping.</summary>
    private bool WaitForPeriod(long next)
    {
        _wake.WaitOne(TimeSpan.FromTicks(Math.Max(0, next - Protos.MonotonicClock.NowNs() + 99) / 100));
        return _stopping;
    }

    /// <summary>One period: poll, then the safe state while halted, else the newest outputs not yet sent.</summary>
    private void Period()
    {
        PollOnce();
        if (_halted)
        {
            SendSafe();
            _safe = SafeConfirmed;
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
