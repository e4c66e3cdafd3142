using Robotics.Protos;
using Robotics.Controller.Loop;
using Robotics.Controller.Safety;
using Robotics.Hardware.Robots;

namespace Robotics.Tests.Controller;

/// <summary>What counts toward a stale fault's recovery: ticks on which every observation of its device was fresh.</summary>
public sealed class StaleRecoveryWatchTests : IDisposable
{
    // Observations 0 and 1 from the arm (3 fresh ticks recover it), 2 from the imu (operator only).
    private static readonly RobotDescription Robot = new("two-devices", 100,
        [
            new ObservationSpec("angle", "rad", 50_000_000, "arm", new StaleRecovery(3)),
            new ObservationSpec("velocity", "rad/s", 50_000_000, "arm", new StaleRecovery(3)),
            new ObservationSpec("yaw_rate", "rad/s", 50_000_000, "imu"),
        ],
        [new ActionSpec("goal", "rad", -1, 1, float.PositiveInfinity, 0)]);

    private static readonly SafetyState ArmStale = new(false, 0, FaultKind.StaleSensor, 0, false);

    private readonly FreshnessRobot _robot = new();

    public void Dispose() => _robot.Dispose();

    [Fact]
    public void The_faulted_device_must_be_fresh_on_every_one_of_its_observations_for_N_consecutive_ticks()
    {
        var watch = new StaleRecoveryWatch(Robot, _robot);

        Assert.False(watch.Observe(ArmStale));
        Assert.False(watch.Observe(ArmStale));
        // The velocity, same device, stale on the third tick: the count starts again.
        _robot.Fresh[1] = false;
        Assert.False(watch.Observe(ArmStale));
        _robot.Fresh[1] = true;
        Assert.False(watch.Observe(ArmStale));
        Assert.False(watch.Observe(ArmStale));
        Assert.True(watch.Observe(ArmStale));
    }

    [Fact]
    public void Another_device_still_stale_does_not_hold_it_back()
    {
        var watch = new StaleRecoveryWatch(Robot, _robot);
        _robot.Fresh[2] = false;

        Assert.False(watch.Observe(ArmStale));
        Assert.False(watch.Observe(ArmStale));
        Assert.True(watch.Observe(ArmStale));
    }

    [Fact]
    public void A_new_fault_counts_from_nothing_and_an_operator_only_device_never_recovers()
    {
        var watch = new StaleRecoveryWatch(Robot, _robot);
        watch.Observe(ArmStale);
        watch.Observe(ArmStale);
        // The fault changed on this tick (cleared by a reset and latched again): its count restarts.
        watch.Restart();
        Assert.False(watch.Observe(ArmStale));

        var imuStale = ArmStale with { FaultIndex = 2 };
        for (int tick = 0; tick < 100; tick++)
        {
            Assert.False(watch.Observe(imuStale));
        }
        Assert.False(watch.Observe(new SafetyState(false, 0, FaultKind.NonFiniteObservation, 0, false)));
    }

    [Fact]
    public void A_rule_needs_a_robot_that_tells_fresh_observations()
    {
        using var blind = new Robotics.Tests.Support.ScriptedRobot();

        var error = Assert.Throws<ArgumentException>(() => new StaleRecoveryWatch(Robot, blind));

        Assert.Contains("observation 'angle' may recover from a stale fault by itself", error.Message);
        _ = new StaleRecoveryWatch(blind.Description, blind);
    }

    [Fact]
    public void Counting_allocates_nothing()
    {
        var watch = new StaleRecoveryWatch(Robot, _robot);
        watch.Observe(ArmStale);
        long before = ThreadAllocations.StartWindow();
        for (int tick = 0; tick < 100_000; tick++)
        {
            _robot.Fresh[1] = tick % 7 != 0;
            if (watch.Observe(ArmStale))
            {
                _ = watch.TextFor(0);
                watch.Restart();
            }
        }

        Assert.Equal(0, ThreadAllocations.Since(before));
    }

    [Fact]
    public void The_recovery_text_names_the_sensor_and_its_device()
    {
        var watch = new StaleRecoveryWatch(Robot, _robot);

        Assert.Equal("stale sensor recovered: 'velocity' of device 'arm' fresh for 3 ticks", watch.TextFor(1));
    }

    /// <summary>A robot whose observations' freshness the test sets.</summary>
    private sealed class FreshnessRobot : IRobotHardware, IObservationFreshness
    {
        public bool[] Fresh { get; } = [true, true, true];

        public RobotDescription Description => Robot;

        public bool IsFresh(int index) => Fresh[index];

        public void Start()
        {
        }

        public ReadStatus Read(Span<float> observation, long nowNs, out int faultIndex)
        {
            faultIndex = -1;
            return ReadStatus.Ok;
        }

        public void Write(ReadOnlySpan<float> action, long nowNs)
        {
        }

        public void Halt()
        {
        }

        public void Resume()
        {
        }

        public void Stop()
        {
        }

        public void Dispose()
        {
        }
    }
}
