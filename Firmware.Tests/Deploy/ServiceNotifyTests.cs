using Robotics.Controller.Loop;
using Robotics.Controller.Service;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>
/// `controller run` as a systemd Type=notify service: READY=1 once the loop ticks, WATCHDOG=1 while it keeps ticking
/// and none while it is stalled, STOPPING=1 when SIGTERM begins the stop. Against a real datagram socket standing in for
/// systemd's (NOTIFY_SOCKET), with a real controller process and a real loop.
/// </summary>
public sealed class ServiceNotifyTests
{
    [Fact]
    public async Task A_service_run_says_ready_once_it_ticks_pings_the_watchdog_and_says_stopping_on_SIGTERM()
    {
        using var socket = new NotifySocket();
        var environment = new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socket.Path,
            // WatchdogSec=0.2: a ping every 100 ms.
            ["WATCHDOG_USEC"] = "200000",
        };
        using var child = ControllerProcess.Start(["run", "--robot", "sim:reach", "--until-stopped", "--no-realtime"], environment);

        var first = await socket.UntilAsync(_ => true);
        Assert.StartsWith("READY=1\nSTATUS=running sim:reach in teleop mode at ", first[0], StringComparison.Ordinal);
        for (int ping = 0; ping < 3; ping++)
        {
            Assert.Equal("WATCHDOG=1", (await socket.UntilAsync(_ => true))[0]);
        }

        child.Signal("TERM");
        var rest = await socket.UntilAsync(message => message == "STOPPING=1");
        Assert.All(rest[..^1], message => Assert.Equal("WATCHDOG=1", message));
        Assert.Equal(143, await child.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task No_watchdog_ping_goes_out_while_the_loop_is_stalled()
    {
        using var socket = new NotifySocket();
        // A driver call that hangs for 3 s at the 30th read: the loop makes no tick in that time.
        const long StallRead = 30;
        var robot = new ScriptedRobot(rateHz: 100) { StallAt = (StallRead, TimeSpan.FromSeconds(3)) };
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(2) };
        using var loop = new ControlLoop(robot, options, null, new ConstantOperator(1));
        var interval = TimeSpan.FromMilliseconds(50);
        loop.Start();
        using var heartbeat = new ServiceHeartbeat(SystemdNotifier.Connect(socket.Path, interval), () => loop.Statistics.Ticks, "test");

        Assert.StartsWith("READY=1", (await socket.UntilAsync(_ => true))[0], StringComparison.Ordinal);
        await socket.UntilAsync(message => message == "WATCHDOG=1");
        // From when the stalled read has begun to when it is over, at most two pings: the one whose interval saw the
        // ticks before the stall, and one its thread decided on before the stall but sent after the queue was emptied
        // (a busy machine delays a thread between its read and its send). A healthy loop would have had sixty in those 3 s.
        await WaitFor(() => robot.Reads > StallRead);
        socket.Drain();
        int pingsWhileStalled = 0;
        while (robot.Reads <= StallRead + 1)
        {
            if (await socket.NextAsync(interval) == "WATCHDOG=1")
            {
                pingsWhileStalled++;
            }
        }
        Assert.True(pingsWhileStalled <= 2, $"{pingsWhileStalled} watchdog pings while the loop was stalled");
        // Ticking again: pinging again.
        await socket.UntilAsync(message => message == "WATCHDOG=1");
        loop.RequestStop();
        loop.WaitForExit();
    }

    [Theory]
    [InlineData("2000000", null, 1000.0)]
    [InlineData("2000000", "own", 1000.0)]
    [InlineData("2000000", "1", null)]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData("0", null, null)]
    [InlineData("-2000000", null, null)]
    [InlineData("2e6", null, null)]
    [InlineData("NaN", null, null)]
    [InlineData("99999999999999999999999", null, null)]
    public void The_watchdog_interval_is_half_of_a_whole_positive_WATCHDOG_USEC_meant_for_this_process(string? usec, string? pid, double? expectedMs)
    {
        // pid "own" stands for this process's id; "1" is another process's.
        string? watchdogPid = pid == "own" ? Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) : pid;

        var interval = SystemdNotifier.ParseWatchdogInterval(usec, watchdogPid, Environment.ProcessId);

        Assert.Equal(expectedMs, interval?.TotalMilliseconds);
    }

    [Fact]
    public async Task A_service_manager_that_stops_reading_never_holds_up_a_notification_or_the_stop()
    {
        // The kernel queues only a few datagrams for a reader (net.unix.max_dgram_qlen, 10 on Debian); past them a
        // blocking send waits for the reader for ever, and a robot whose stop says STOPPING=1 would never stop.
        using var socket = new NotifySocket();
        using var notifier = SystemdNotifier.Connect(socket.Path, watchdogInterval: null);

        var sending = Task.Run(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                notifier.Send("WATCHDOG=1");
            }
            notifier.Send("STOPPING=1");
        });

        await sending.WaitAsync(Waits.Patience);
        Assert.InRange(socket.Drain(), 1, 1000);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Waits.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come about");
            await Task.Delay(5);
        }
    }
}
