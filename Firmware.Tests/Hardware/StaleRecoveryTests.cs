using Robotics.Controller.Loop;
using Robotics.Controller.Safety;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Hardware.Robots;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>A device's <c>stale_recovery</c>: how the config says it, and a robot whose device stops answering and answers again.</summary>
public sealed class StaleRecoveryTests : IDisposable
{
    // Ageing is the subject here, but not a loaded machine's: 250 ms is far above the tens of ms a busy test host
    // holds a sample back, and a dead device still faults within a quarter of a second.
    private const string OneJoint = """
        {
          "name": "one-joint",
          "rate_hz": 100,
          "devices": [ { "name": "bus", "type": "fake-servo", "settings": {}, "stale_recovery": { "fresh_ticks": 20 } } ],
          "observations": [
            { "name": "joint_angle", "unit": "rad", "source": "bus.1.position", "max_age_ms": 250 },
            { "name": "joint_velocity", "unit": "rad/s", "source": "bus.1.velocity", "max_age_ms": 250 }
          ],
          "actions": [
            { "name": "joint_goal", "unit": "rad", "target": "bus.1.goal", "min": -1, "max": 1, "safe": 0 }
          ]
        }
        """;

    private const string Rule = "\"stale_recovery\": { \"fresh_ticks\": 20 }";

    private static readonly TimeSpan Patience = Waits.Patience;

    private readonly TempDirectory _directory = new();
    private readonly List<FakeServoBus> _buses = [];
    private readonly DeviceRegistry _registry = new();

    public StaleRecoveryTests() => _registry.Register("fake-servo", device =>
    {
        var bus = new FakeServoBus(device.Name!);
        _buses.Add(bus);
        return bus;
    });

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Each_observation_carries_its_devices_rule_and_the_default_is_the_operator()
    {
        string twoDevices = OneJoint
            .Replace("\"settings\": {}, " + Rule + " } ]", "\"settings\": {}, " + Rule + " }, { \"name\": \"imu\", \"type\": \"fake-servo\" } ]", StringComparison.Ordinal)
            .Replace("bus.1.velocity", "imu.1.velocity", StringComparison.Ordinal);

        var robot = RobotConfigLoader.Load(Write(twoDevices)).Description;

        Assert.Equal(("bus", new StaleRecovery(20)), (robot.Observations[0].Device, robot.Observations[0].StaleRecovery));
        Assert.Equal(("imu", StaleRecovery.Operator), (robot.Observations[1].Device, robot.Observations[1].StaleRecovery));
        var spelled = RobotConfigLoader.Load(Write(OneJoint.Replace(Rule, "\"stale_recovery\": \"operator\"", StringComparison.Ordinal))).Description;
        Assert.All(spelled.Observations, o => Assert.False(o.StaleRecovery.ClearsByItself));
    }

    public static TheoryData<string, string> BrokenRules() => new()
    {
        { "\"stale_recovery\": \"automatic\"", "devices[0].stale_recovery: must be \"operator\" or { \"fresh_ticks\": N }" },
        { "\"stale_recovery\": 20", "devices[0].stale_recovery: must be \"operator\" or { \"fresh_ticks\": N }" },
        { "\"stale_recovery\": {}", "devices[0].stale_recovery.fresh_ticks: required" },
        { "\"stale_recovery\": { \"fresh_samples\": 20 }", "devices[0].stale_recovery.fresh_samples: unknown field" },
        { "\"stale_recovery\": { \"fresh_ticks\": 0 }", "devices[0].stale_recovery.fresh_ticks: must be a whole number of ticks from 1 to 10000" },
        { "\"stale_recovery\": { \"fresh_ticks\": 10001 }", "devices[0].stale_recovery.fresh_ticks: must be a whole number of ticks from 1 to 10000" },
        { "\"stale_recovery\": { \"fresh_ticks\": 2.5 }", "devices[0].stale_recovery.fresh_ticks: must be a whole number of ticks from 1 to 10000" },
        { "\"stale_recovery\": { \"fresh_ticks\": \"20\" }", "devices[0].stale_recovery.fresh_ticks: must be a whole number of ticks from 1 to 10000" },
    };

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public void A_bad_rule_is_one_error_naming_the_field(string rule, string expected)
    {
        string path = Write(OneJoint.Replace(Rule, rule, StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => RobotConfigLoader.Load(path));

        Assert.StartsWith($"{path}: {expected}", error.Message);
    }

    [Fact]
    public void With_fresh_ticks_a_device_that_answers_again_drives_again_by_itself_with_a_recovery_event()
    {
        using var run = Run(OneJoint);
        run.FaultAndRestore();

        // Resumed: goals reach the servo again, which nothing reaches while it is halted.
        Assert.True(SpinWait.SpinUntil(() => run.Bus.Sends > run.SendsWhileHalted, Patience), "the device was never resumed");
        var events = run.Finish();

        var fault = events.First(e => e.Kind == LoopEventKind.Fault);
        Assert.Equal((FaultKind.StaleSensor, 0), (fault.Fault, fault.Index));
        var recovered = events.SkipWhile(e => e != fault).First(e => e.Kind == LoopEventKind.FaultRecovered);
        Assert.Equal((FaultKind.StaleSensor, 0), (recovered.Fault, recovered.Index));
        Assert.Equal("stale sensor recovered: 'joint_angle' of device 'bus' fresh for 20 ticks", recovered.Text);
    }

    [Fact]
    public void By_default_a_device_that_answers_again_leaves_the_robot_safe_until_an_operator_clears_it()
    {
        using var run = Run(OneJoint.Replace(", " + Rule, "", StringComparison.Ordinal));
        run.FaultAndRestore();

        // Fresh again (polls come back), then five times the ticks a fresh_ticks rule of 20 would have waited.
        long polls = run.Bus.Polls;
        Assert.True(SpinWait.SpinUntil(() => run.Bus.Polls > polls + 10, Patience));
        long ticks = run.Loop.Statistics.Ticks;
        Assert.True(SpinWait.SpinUntil(() => run.Loop.Statistics.Ticks > ticks + 100, Patience));

        Assert.Equal(FaultKind.StaleSensor, run.Loop.Status.Read().Fault);
        Assert.Equal(run.SendsWhileHalted, run.Bus.Sends);
        var events = run.Finish();
        Assert.DoesNotContain(events, e => e.Kind == LoopEventKind.FaultRecovered);
        Assert.Single(events, e => e.Kind == LoopEventKind.Fault);
    }

    private string Write(string json)
    {
        string path = _directory.File($"robot-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private LoopRun Run(string config)
    {
        var robot = new ConfiguredRobot(RobotConfigLoader.Load(Write(config)), _registry);
        // The watchdog is not the subject: a loaded machine's stall must not trip it, which would forbid any resume.
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, WatchdogTimeout = TimeSpan.FromMinutes(1) };
        return new LoopRun(robot, new ControlLoop(robot, options, null, new ConstantOperator(0.4f)), _buses[0]);
    }

    /// <summary>A configured robot's loop, driving from the start, whose one device a test silences and brings back.</summary>
    private sealed class LoopRun(ConfiguredRobot robot, ControlLoop loop, FakeServoBus bus) : IDisposable
    {
        public ControlLoop Loop => loop;

        public FakeServoBus Bus => bus;

        /// <summary>Goals the device had sent when its halt for the fault had reached its thread.</summary>
        public long SendsWhileHalted { get; private set; }

        /// <summary>Starts the loop, silences the device until the robot is faulted and the device halted, then lets it answer again.</summary>
        public void FaultAndRestore()
        {
            loop.Start();
            Assert.True(SpinWait.SpinUntil(() => bus.Sends > 0, Patience), "the robot never drove");
            bus.FailPolls = true;
            Assert.True(SpinWait.SpinUntil(() => loop.Status.Read().Fault == FaultKind.StaleSensor, Patience), "no stale fault");
            // The loop halted the device before publishing the fault; two failed periods later its thread has seen it.
            long errors = bus.Errors;
            Assert.True(SpinWait.SpinUntil(() => bus.Errors >= errors + 2, Patience));
            SendsWhileHalted = bus.Sends;
            bus.FailPolls = false;
        }

        /// <summary>Stops the loop and returns every event it wrote.</summary>
        public List<LoopEvent> Finish()
        {
            loop.RequestStop();
            loop.WaitForExit();
            var events = new List<LoopEvent>();
            while (loop.Events.TryRead(out var e))
            {
                events.Add(e);
            }
            return events;
        }

        public void Dispose()
        {
            loop.Dispose();
            robot.Dispose();
        }
    }
}
