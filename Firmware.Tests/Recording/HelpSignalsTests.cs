using Robotics.Controller.Policy;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Recording;

/// <summary>
/// Every step carries what the robot's help requests judged on it (the policy's uncertainty, an ensemble's novelty and
/// the observation's |z|) and which of those triggers were over their thresholds, in the recording and in telemetry, so
/// that a viewer plots them against their thresholds and a trainer can study when the robot asked and why.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class HelpSignalsTests(SimPolicies policies)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_step_records_the_uncertainty_and_observation_z_its_help_request_was_judged_on(bool ensemble)
    {
        using var directory = new TempDirectory();
        string log = directory.File("help.mcap");
        string file = ensemble ? policies.ReachEnsemble : policies.Reach;
        using (var run = ControllerProcess.Start(["run", "--robot", "sim:reach", "--policy", file, "--episodes", "3", "--unpaced", "--no-realtime", "--record", log]))
        {
            Assert.True(await run.WaitForExitAsync(Waits.Patience) == 0, run.Stderr);
        }
        using var policy = new PolicyRunner(file);
        var metadata = policy.Metadata;
        double zThreshold = metadata.HelpObservationZThreshold!.Value;
        double noveltyThreshold = metadata.HelpNoveltyThreshold ?? double.PositiveInfinity;
        var episodes = TeleopLogReader.Read(log).Episodes;

        int asked = 0;
        foreach (var steps in episodes.Select(e => e.Steps))
        {
            for (int t = 0; t < steps.Count; t++)
            {
                var step = steps[t];
                // Computed here from what the step recorded, as the Gaussian head and the help monitor define them.
                double uncertainty = step.PolicyLogStd.Select((logStd, i) => Math.Exp(logStd) / metadata.ActionStd[i]).Max();
                double z = step.Observation.Select((value, i) => Math.Abs(value - metadata.ObservationMean[i]) / metadata.ObservationStd[i]).Max();
                Assert.Equal(uncertainty, step.Uncertainty, uncertainty * 1e-5);
                Assert.Equal(z, step.ObservationZ, z * 1e-5);
                Assert.Equal(ensemble, step.Novelty > 0);
                // Which triggers were over their thresholds on this tick, whether or not a request stood on it yet.
                Assert.Equal(
                    (step.Uncertainty > metadata.HelpThreshold ? (uint)HelpTrigger.Uncertainty : 0)
                    | (step.Novelty > noveltyThreshold ? (uint)HelpTrigger.Novelty : 0)
                    | (step.ObservationZ > zThreshold ? (uint)HelpTrigger.ObservationZ : 0), step.HelpTriggers);
                if ((step.Flags & (uint)StepFlag.HelpRequested) != 0)
                {
                    // A request stands on a run of five unsure ticks (the default --help-ticks) up to this one.
                    asked++;
                    Assert.True(t >= 4, $"help asked on tick {t}, before five ticks were judged");
                    Assert.All(steps.Skip(t - 4).Take(5), unsure => Assert.True(unsure.HelpTriggers != 0,
                        $"tick {unsure.Tick} asked for help at uncertainty {unsure.Uncertainty}, novelty {unsure.Novelty} and z {unsure.ObservationZ}"));
                }
            }
        }
        Assert.True(asked > 0, "sim:reach's policy asked for no help in three episodes: the test saw no request to check");
    }
}
