using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Protos;
using Robotics.Tests.Support;

namespace Robotics.Tests.Link;

/// <summary>
/// The link has eight request slots. More requests than that at once (eight telemetry clients connecting together, each
/// asking for the devices' counters, while an operator asks for the lease) wait for a slot: none is refused for the
/// burst, and the operator gets the lease. `bench grpc` found the operator refused "too many control requests".
/// </summary>
public sealed class RequestSlotTests
{
    [Fact]
    public async Task A_burst_of_more_requests_than_slots_is_answered_in_full_and_the_operator_gets_the_lease()
    {
        var robot = new ScriptedRobot(rateHz: 200);
        var options = new LoopOptions { RateHz = 200, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(2) };
        await using var rig = LinkedLoop.Start(robot, options);
        using var gateway = GatewayLink.Attach(rig.Segments);
        int slots = rig.Segments.Geometry.RequestSlots;

        var counters = Enumerable.Range(0, 4 * slots).Select(_ => gateway.AskAsync(LinkRequestKind.DeviceCounters)).ToList();
        var takeOver = gateway.AskAsync(LinkRequestKind.TakeOver, text: "alice");
        var answers = await Task.WhenAll(counters);
        var granted = await takeOver;

        Assert.All(answers, answer => Assert.Null(answer.Failure));
        Assert.True(granted.Failure is null, $"the operator was refused: {granted.Message}");
        Assert.Equal(granted.Result, rig.Loop.Overrides.Lease);
    }
}
