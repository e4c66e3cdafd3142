using Robotics.Hardware.Devices;
using Robotics.Protos;

namespace Robotics.Tests.Hardware;

public sealed class PolledDeviceTests
{
    /// <summary>A device whose every poll takes 15 ms (a slow bus), polled with a 20 ms period.</summary>
    private sealed class SlowBus() : PolledDevice("slow", ["x"], [], TimeSpan.FromMilliseconds(20))
    {
        protected override void Open()
        {
        }

        protected override bool Poll(Span<float> inputs)
        {
            Thread.Sleep(15);
            return true;
        }

        protected override bool Send(ReadOnlySpan<float> outputs) => true;

        protected override void SendSafe()
        {
        }

        protected override void Close()
        {
        }
    }

    [Fact]
    public void Period_ms_is_how_often_a_device_polls_not_the_pause_after_each_poll()
    {
        using var bus = new SlowBus();
        bus.Start();
        long start = MonotonicClock.NowNs();
        long first = bus.Polls;
        Thread.Sleep(1000);
        double rate = (bus.Polls - first) / ((MonotonicClock.NowNs() - start) / 1e9);
        bus.Stop();

        // On a 20 ms grid: 50 polls a second, and a late wake-up is made up at the next period. Pausing 20 ms after
        // each 15 ms poll could never pass 1000 / 35 = 28.6 a second, however idle the machine.
        Assert.InRange(rate, 30, 51);
    }
}
