using Robotics.Controller.Safety;
using Robotics.Hardware.Robots;

namespace Robotics.Tests.Controller;

public sealed class ActionLimiterTests
{
    // Two joints: ±2 N·m at 100 N·m/s, safe 0.5; ±1 rad at 10 rad/s, safe 0. At 100 Hz: 1 N·m and 0.1 rad a tick.
    private static readonly RobotDescription Arm = new("arm", 100, [new ObservationSpec("x", "m", long.MaxValue)],
        [new ActionSpec("torque", "N*m", -2, 2, 100, 0.5f), new ActionSpec("angle", "rad", -1, 1, 10, 0)]);

    private static readonly RobotDescription Cart = new("cart", 50, [new ObservationSpec("x", "m", long.MaxValue)],
        [new ActionSpec("push", "1", 0, 2, float.PositiveInfinity, -1)], ["left", "none", "right"]);

    [Fact]
    public void A_command_is_rate_limited_from_the_safe_action_then_clamped_to_its_limits()
    {
        var limiter = new ActionLimiter(Arm, 100);
        var applied = new float[2];

        Assert.True(limiter.Apply([5, 0.05f], applied));
        Assert.Equal([1.5f, 0.05f], applied);
        Assert.True(limiter.Apply([5, -5], applied));
        Assert.Equal([2f, -0.05f], applied);
        Assert.False(limiter.Apply([2, -0.1f], applied), "within limits and rate: sent as commanded, not flagged");
        Assert.Equal([2f, -0.1f], applied);
    }

    [Fact]
    public void The_safe_action_is_sent_at_once_and_rate_limiting_restarts_from_it()
    {
        var limiter = new ActionLimiter(Arm, 100);
        var applied = new float[2];
        limiter.Apply([2, 0.1f], applied);
        limiter.Apply([2, 0.2f], applied);

        limiter.WriteSafe(applied);
        Assert.Equal([0.5f, 0f], applied);

        limiter.Apply([-2, -1], applied);
        Assert.Equal([-0.5f, -0.1f], applied);
    }

    [Fact]
    public void A_discrete_robots_index_is_rounded_and_clamped_with_no_rate_limit_and_its_safe_action_is_no_command()
    {
        var limiter = new ActionLimiter(Cart, 50);
        var applied = new float[1];

        Assert.False(limiter.Apply([2], applied));
        Assert.Equal(2f, applied[0]);
        Assert.True(limiter.Apply([0.4f], applied));
        Assert.Equal(0f, applied[0]);
        Assert.True(limiter.Apply([7], applied));
        Assert.Equal(2f, applied[0]);
        limiter.WriteSafe(applied);
        Assert.Equal(-1f, applied[0]);
    }
}
