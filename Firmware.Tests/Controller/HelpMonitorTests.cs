using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Tests.Support;

namespace Robotics.Tests.Controller;

/// <summary>When the robot asks for help, on a real policy: a run of unsure ticks raises one request.</summary>
[Collection(nameof(SimPolicies))]
public sealed class HelpMonitorTests(SimPolicies policies)
{
    [Fact]
    public void A_run_of_ticks_far_from_the_training_data_raises_one_request_that_stands_until_the_run_ends()
    {
        using var policy = new PolicyRunner(policies.Reach);
        var monitor = new HelpMonitor(policy, new HelpOptions { ObservationZThreshold = 6, ConsecutiveTicks = 3, UncertaintyThreshold = double.MaxValue });
        var typical = policy.Metadata.ObservationMean.ToArray();
        var far = typical.ToArray();
        far[0] += 10 * policy.Metadata.ObservationStd[0];

        bool Observe(float[] observation)
        {
            policy.Infer(observation);
            return monitor.Observe(observation);
        }

        Assert.False(Observe(typical));
        Assert.False(monitor.Requesting);
        Assert.False(Observe(far));
        Assert.False(Observe(far));
        Assert.True(Observe(far), "the third unsure tick in a row raises the request");
        Assert.Equal(10, monitor.LastObservationZ, 3);
        Assert.False(Observe(far), "raised once, not every tick");
        Assert.True(monitor.Requesting);
        Assert.False(Observe(typical));
        Assert.False(monitor.Requesting, "a sure tick ends the run");
    }

    [Fact]
    public void The_policys_uncertainty_over_its_threshold_counts_as_unsure_and_a_reset_forgets_the_run()
    {
        using var policy = new PolicyRunner(policies.Reach);
        var observation = policy.Metadata.ObservationMean.ToArray();
        policy.Infer(observation);
        double uncertainty = policy.Head.Uncertainty(policy.Outputs, policy.Metadata);
        var monitor = new HelpMonitor(policy, new HelpOptions { UncertaintyThreshold = uncertainty / 2, ConsecutiveTicks = 2 });

        Assert.False(monitor.Observe(observation));
        Assert.Equal(uncertainty, monitor.LastUncertainty, 9);
        monitor.Reset();
        Assert.False(monitor.Observe(observation), "the run restarted after the reset");
        Assert.True(monitor.Observe(observation));
    }
}
