using Robotics.Hardware.Devices;

namespace Robotics.Tests.Support;

/// <summary>
/// A polled device standing in for a servo bus (no hardware here): each poll reads joint 1's position, which
/// follows the last goal sent with a first-order lag; tests can make polls fail or stop, and see what was sent.
/// </summary>
public sealed class FakeServoBus(string name) : PolledDevice(name, ["1.position", "1.velocity"], ["1.goal"], TimeSpan.FromMilliseconds(2))
{
    private double _position;
    private double _goal;
    private long _sends;
    private volatile bool _failPolls;
    private volatile bool _halted;

    public bool FailPolls { get => _failPolls; set => _failPolls = value; }

    public bool Opened { get; private set; }

    public bool Closed { get; private set; }

    public bool SafeSent => _halted;

    public double LastGoal => Volatile.Read(ref _goal);

    /// <summary>Goals sent; none while the device is halted (it sends its safe state instead), so a rise after a halt is a resume.</summary>
    public long Sends => Interlocked.Read(ref _sends);

    protected override void Open() => Opened = true;

    protected override bool Poll(Span<float> inputs)
    {
        if (_failPolls)
        {
            return false;
        }
        double previous = _position;
        _position += 0.2 * (_goal - _position);
        inputs[0] = (float)_position;
        inputs[1] = (float)((_position - previous) / 0.002);
        return true;
    }

    protected override bool Send(ReadOnlySpan<float> outputs)
    {
        Volatile.Write(ref _goal, outputs[0]);
        Interlocked.Increment(ref _sends);
        return true;
    }

    protected override void SendSafe() => _halted = true;

    protected override void Close() => Closed = true;
}
