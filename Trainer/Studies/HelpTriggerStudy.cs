using System.Globalization;
using Robotics.Controller.Policy;
using Robotics.Hardware.Simulation;
using Robotics.Trainer.Dagger;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Studies;

/// <summary>How big the help-trigger study is.</summary>
public sealed record HelpTriggerSettings
{
    /// <summary>
    /// The one task here whose policies fail now and then, over seconds, in ways the gate sees: on sim:lane a cloned
    /// network leaves the lane within a second, before any request can be raised, and on sim:detour the Gaussian meets the
    /// obstacle while still on its way to the goal, which the gate (judging progress to the goal) does not see as trouble.
    /// </summary>
    public const string Robot = "sim:reach";

    /// <summary>Five, not three: a few tens of failures per seed leave each seed's precision wide (a minute a seed).</summary>
    public int Seeds { get; init; } = 5;

    /// <summary>Enough that the policies succeed on most episodes (85 %), so that a failure is the rare event a request is for.</summary>
    public int DemonstrationEpisodes { get; init; } = 60;

    public int EvaluationEpisodes { get; init; } = 100;

    public int EnsembleMembers { get; init; } = 5;

    /// <summary>The trainer's --ensemble range, from 2: novelty is the members' disagreement.</summary>
    public static WholeRange MembersRange { get; } = TrainingRanges.EnsembleMembers with { Min = 2 };

    /// <summary>The shares of ticks each trigger is set to fire on, so that all are compared at the same request rate.</summary>
    public IReadOnlyList<double> TickShares { get; init; } = [0.01, 0.02, 0.05, 0.10];

    /// <summary>How long before the gate steps in a request still counts as in time: a second, for an operator to look.</summary>
    public double LeadSeconds { get; init; } = 1;

    public TrainingConfig Training { get; init; } = new DemoSettings().Training;

    /// <summary>The demo's gate: it stands for the expert who would have stepped in.</summary>
    public GateOptions Gate { get; init; } = new DemoSettings().Gate;

    public void Validate()
    {
        MultimodalSettings.SeedsRange.Require(Seeds);
        DemoSettings.DemonstrationRange.Require(DemonstrationEpisodes);
        DemoSettings.EvaluationRange.Require(EvaluationEpisodes);
        MembersRange.Require(EnsembleMembers);
        Training.Validate();
    }
}

/// <summary>A trigger's score at one setting of its threshold.</summary>
/// <param name="Setting">"file" for the threshold the trainer stored, or the share of ticks it was set to fire on.</param>
public sealed record TriggerResult(string Trigger, string Setting, TriggerScore Score);

/// <summary>One seed: the ensemble's evaluation, its episodes as judged, and every trigger's scores.</summary>
/// <param name="GateMoments">Times the gate would have stepped in; <paramref name="Moments"/> of them before a failure, what the triggers are judged by.</param>
/// <param name="UsefulTickShare">The precision a trigger firing at random would have (<see cref="TriggerScoring.UsefulTickShare"/>).</param>
public sealed record HelpTriggerSeed(int Seed, EvaluationResult Ensemble, EvaluationResult OneNetwork, int GateMoments, int Moments, double UsefulTickShare, IReadOnlyList<TriggerResult> Results);

/// <summary>
/// Whether help requests are worth an operator's attention (docs/learning.md#are-help-requests-worth-an-operators-attention).
/// Per seed, the expert records demonstrations; a single Gaussian network and an ensemble train on them; the single network
/// drives unseen episodes alone while the expert's gate watches (it only watches: its moments are where it would have
/// stepped in), and the ensemble judges every observation the robot met. Each trigger, at the thresholds the trainer stored and at thresholds set so that every trigger fires on the same
/// share of ticks, is scored by its requests' precision and recall against those moments.
/// </summary>
public sealed class HelpTriggerStudy(HelpTriggerSettings settings, DemoFolder folder, Action<string> say)
{
    private readonly StudyTrainer _trainer = new(folder, say);

    public const string FileSetting = "file";

    public IReadOnlyList<HelpTriggerSeed> Run()
    {
        settings.Validate();
        var c = CultureInfo.InvariantCulture;
        const string robot = HelpTriggerSettings.Robot;
        double rate = Simulators.DefaultRate(robot);
        int lead = (int)Math.Round(settings.LeadSeconds * rate);
        var results = new List<HelpTriggerSeed>();
        for (int seed = 0; seed < settings.Seeds; seed++)
        {
            say(string.Create(c, $"[seed {seed}] the expert records {settings.DemonstrationEpisodes} demonstrations on {robot}"));
            var demonstrations = ClosedLoopRun.Run(robot, null, settings.DemonstrationEpisodes, seed, folder.Data($"teleop-seed{seed}.mcap"));
            var training = settings.Training with { Kind = new GaussianHead(), Seed = seed };
            string singlePath = _trainer.Train([demonstrations.LogPath], training, $"single-seed{seed}");
            string ensemblePath = _trainer.Train([demonstrations.LogPath], training with { EnsembleMembers = settings.EnsembleMembers }, $"ensemble-seed{seed}");
            int evaluationSeed = Study.EvaluationSeedBase + seed;
            var single = ClosedLoopRun.Run(null, singlePath, settings.EvaluationEpisodes, evaluationSeed, folder.Evaluation($"single-seed{seed}.mcap"));
            var ensemble = ClosedLoopRun.Run(null, ensemblePath, settings.EvaluationEpisodes, evaluationSeed, folder.Evaluation($"ensemble-seed{seed}.mcap"));

            using var singleRunner = new PolicyRunner(singlePath);
            using var ensembleRunner = new PolicyRunner(ensemblePath);
            using var gateModel = Simulators.Create(robot, rate, seed);
            var episodes = TriggerEpisodes.FromRollout(single.LogPath, singleRunner.Metadata, ensembleRunner, gateModel, settings.Gate);
            var scores = Score(episodes, FileThresholds(singleRunner.Metadata, ensembleRunner.Metadata), lead);
            int moments = episodes.Sum(e => e.Troubles.Count);
            say(string.Create(c, $"      on {settings.EvaluationEpisodes} unseen episodes: single network {single.SuccessRate:P0}, ensemble {ensemble.SuccessRate:P0}; the gate would have stepped in {episodes.Sum(e => e.GateMoments)} times, {moments} before a failure, and a request at random would be useful on {TriggerScoring.UsefulTickShare(episodes, lead):P0} of ticks"));
            results.Add(new HelpTriggerSeed(seed, ensemble, single, episodes.Sum(e => e.GateMoments), moments, TriggerScoring.UsefulTickShare(episodes, lead), scores));
        }
        return results;
    }

    /// <summary>Each trigger's threshold as the trainer stored it: σ in each file, novelty and distance in the ensemble's.</summary>
    private static Dictionary<string, double> FileThresholds(PolicyMetadata single, PolicyMetadata ensemble) => new()
    {
        [TriggerEpisodes.SingleSigma] = single.HelpThreshold,
        [TriggerEpisodes.EnsembleSigma] = ensemble.HelpThreshold,
        [TriggerEpisodes.Novelty] = ensemble.HelpNoveltyThreshold ?? throw new InvalidDataException("the ensemble's file has no novelty threshold"),
        [TriggerEpisodes.Distance] = ensemble.HelpObservationZThreshold ?? throw new InvalidDataException("the ensemble's file has no observation |z| threshold"),
    };

    private List<TriggerResult> Score(List<TriggerEpisode> episodes, Dictionary<string, double> fileThresholds, int lead)
    {
        var results = new List<TriggerResult>();
        foreach (var (trigger, _) in TriggerEpisodes.Triggers)
        {
            results.Add(new TriggerResult(trigger, FileSetting, TriggerScoring.Score(episodes, trigger, fileThresholds[trigger], lead)));
            foreach (double share in settings.TickShares)
            {
                double threshold = TriggerScoring.ThresholdForShare(episodes, trigger, share);
                results.Add(new TriggerResult(trigger, ShareSetting(share), TriggerScoring.Score(episodes, trigger, threshold, lead)));
            }
        }
        return results;
    }

    public static string ShareSetting(double share) => string.Create(CultureInfo.InvariantCulture, $"{100 * share:0.#} %");
}
