using Robotics.Controller.Policy;
using Robotics.Hardware.Simulation;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Dagger;

namespace Robotics.Trainer.Studies;

/// <summary>
/// Reads a single network's autonomous evaluation into what the help-trigger study judges: per tick, the measures of
/// every trigger on the observation the robot met (the network's σ, and an ensemble's σ and novelty, both trained on
/// the same demonstrations, and the observation's distance from them, as the controller recorded it); and, from the
/// expert's gate watching the same ticks, where it would have stepped in before a failure.
/// </summary>
public static class TriggerEpisodes
{
    public const string SingleSigma = "sigma-single";
    public const string EnsembleSigma = "sigma-ensemble";
    public const string Novelty = "novelty";
    public const string Distance = "distance";

    /// <summary>The triggers compared, with what they are for people.</summary>
    public static IReadOnlyList<(string Name, string Description)> Triggers { get; } =
    [
        (SingleSigma, "σ of one network"),
        (EnsembleSigma, "σ of the ensemble"),
        (Novelty, "novelty (members' disagreement)"),
        (Distance, "distance from the training data (|z|)"),
    ];

    /// <param name="rollout">The recording of <paramref name="driver"/>'s autonomous episodes.</param>
    /// <param name="driver">The single network that drove: its σ is in the recording, and the gate's agreement is measured in its training data's action spread.</param>
    /// <param name="ensemble">An ensemble trained on the same data, run here on each recorded observation.</param>
    /// <param name="gateModel">A simulator of the robot for the gate to plan on (never the one that drove).</param>
    public static List<TriggerEpisode> FromRollout(string rollout, PolicyMetadata driver, PolicyRunner ensemble, SimulatedRobot gateModel, GateOptions gate)
    {
        var episodes = new List<TriggerEpisode>();
        foreach (var episode in TeleopLogReader.Read(rollout).Episodes)
        {
            var steps = episode.Steps;
            var measures = Triggers.ToDictionary(t => t.Name, _ => new float[steps.Count]);
            // A fresh gate each episode: it replans on the first tick it sees of a new one.
            var judge = new InterventionGate(gateModel, gate, driver.ActionStd, categorical: false);
            var troubles = new List<Trouble>();
            int start = -1;
            for (int i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                if (step.Source != ActionSource.Policy)
                {
                    throw new InvalidDataException($"{rollout}: episode {episode.Id} tick {step.Tick} was driven by {step.Source}, not the policy: the study judges autonomous runs");
                }
                float[] observation = [.. step.Observation];
                ensemble.Infer(observation);
                measures[SingleSigma][i] = step.Uncertainty;
                measures[EnsembleSigma][i] = (float)ensemble.Head.Uncertainty(ensemble.Outputs, ensemble.Metadata);
                measures[Novelty][i] = ensemble.Novelty;
                measures[Distance][i] = step.ObservationZ;
                switch (judge.Observe(episode.Id, step.Tick, observation, [.. step.PolicyMean], helpRequested: false))
                {
                    case GateDecision.TakeOver:
                        start = i;
                        break;
                    case GateDecision.HandBack when start >= 0:
                        troubles.Add(new Trouble(start, i));
                        start = -1;
                        break;
                }
            }
            if (start >= 0)
            {
                troubles.Add(new Trouble(start, steps.Count));
            }
            // In an episode the policy went on to finish well, the gate's worry was its own: the robot needed no one.
            bool succeeded = episode.Outcome == EpisodeOutcome.Success;
            episodes.Add(new TriggerEpisode(measures, succeeded ? [] : troubles, troubles.Count, succeeded));
        }
        return episodes;
    }
}
