using System.Diagnostics;
using System.Globalization;
using Robotics.Hardware.Simulation;
using Robotics.Trainer.Dagger;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Reports;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Demo;

/// <summary>
/// The main job end to end on a simulator: teleop recording → BC training → deployment against the expert
/// on unseen episodes → rounds of HG-DAgger (the policy drives, the expert takes over through the gRPC
/// override stream, its corrections join the data, the policy is retrained and redeployed). Every stage
/// runs the real thing: the controller's loop, the trainer's ONNX Runtime training, the gRPC server.
/// </summary>
/// <param name="say">Prints a line of progress.</param>
/// <param name="showTraining">Runs one training, showing its progress as the caller can: a live bar on a terminal.</param>
public sealed class DemoPipeline(DemoSettings settings, DemoFolder folder, Action<string> say, DemoPipeline.TrainingDisplay showTraining)
{
    /// <summary>Runs <paramref name="train"/> with a progress display that reports <paramref name="score"/>.</summary>
    public delegate TrainingResult TrainingDisplay(ValidationScore score, Func<ITrainingProgress, TrainingResult> train);

    public async Task<DemoOutcome> RunAsync(CancellationToken cancellation)
    {
        settings.Validate();
        var total = Stopwatch.StartNew();
        var c = CultureInfo.InvariantCulture;
        int stages = settings.Rounds > 0 ? 5 : 3;
        string robot = settings.Robot;

        say(string.Create(c, $"[1/{stages}] teleop recording: the scripted expert drives {robot} for {settings.DemonstrationEpisodes} episodes through the controller runtime"));
        var teleop = ClosedLoopRun.Run(robot, null, settings.DemonstrationEpisodes, settings.Seed, folder.Data("teleop.mcap"));
        say(string.Create(c, $"      {teleop.ExpertSteps} expert steps, {teleop.SuccessRate:P0} of episodes successful → {DemoFolder.FromWorkingDirectory(teleop.LogPath)}"));

        say(string.Create(c, $"[2/{stages}] training: BC on the teleop log"));
        var logs = new List<string> { teleop.LogPath };
        var bc = Train(logs, "policy-0");

        say(string.Create(c, $"[3/{stages}] deployment: policy-0 and the expert on {settings.EvaluationEpisodes} episodes no training data comes from (seed {EvaluationSeed})"));
        var expert = ClosedLoopRun.Run(robot, null, settings.EvaluationEpisodes, EvaluationSeed, folder.Evaluation("expert.mcap"));
        var bcEvaluation = ClosedLoopRun.Run(robot, bc.PolicyPath, settings.EvaluationEpisodes, EvaluationSeed, folder.Evaluation("policy-0.mcap"));
        say(string.Create(c, $"      expert {expert.SuccessRate:P0}, BC {bcEvaluation.SuccessRate:P0} (final {expert.GoalErrorName}: expert {expert.MeanFinalGoalError:G3}, BC {bcEvaluation.MeanFinalGoalError:G3})"));

        var rounds = new List<DemoRound>();
        var current = bc;
        for (int round = 1; round <= settings.Rounds; round++)
        {
            say(string.Create(c, $"[4/{stages}] DAgger round {round}/{settings.Rounds}: policy-{round - 1} drives {settings.RoundEpisodes} episodes at {TimeScale:G3}× real time; the expert watches over gRPC and takes over"));
            var collected = await DaggerRound.RunAsync(robot, current.PolicyPath, settings.RoundEpisodes, EvaluationSeed + round, TimeScale, settings.Gate,
                folder.Data($"dagger-{round}.mcap"), cancellation);
            var episodes = collected.Episodes;
            say(string.Create(c, $"      {Counted.Of(collected.Expert.Takeovers, "intervention")} ({collected.Expert.TakeoversOnDrift} on drift, {collected.Expert.TakeoversOnHelp} on help requests), {Counted.Of(episodes.HelpRequests, "help request")}, {Counted.Of(episodes.ExpertSteps, "expert step")}; {episodes.SuccessRate:P0} successful with the expert's help"));
            logs.Add(episodes.LogPath);
            current = Train(logs, $"policy-{round}");
            var evaluation = ClosedLoopRun.Run(robot, current.PolicyPath, settings.EvaluationEpisodes, EvaluationSeed, folder.Evaluation($"policy-{round}.mcap"));
            say(string.Create(c, $"      policy-{round} on its own: {evaluation.SuccessRate:P0} (expert {expert.SuccessRate:P0}, BC {bcEvaluation.SuccessRate:P0})"));
            rounds.Add(new DemoRound(round, collected, current, evaluation));
        }
        var control = rounds.Count == 0 ? null : await Task.Run(() => EqualDataBc(stages, teleop, rounds[^1]), cancellation);
        return new DemoOutcome(settings, teleop, bc, expert, bcEvaluation, rounds, control, total.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The control for DAgger's extra data: plain BC on as many teleop steps as the last DAgger policy learned
    /// from, recorded from the same start states as the first demonstrations and then more.
    /// </summary>
    private BcControl EqualDataBc(int stages, EvaluationResult teleop, DemoRound last)
    {
        long steps = last.Retrained.DatasetSteps;
        var c = CultureInfo.InvariantCulture;
        say(string.Create(c, $"[5/{stages}] control: plain BC on as much expert data as the last DAgger policy ({steps} steps)"));
        double perEpisode = teleop.ExpertSteps / (double)teleop.Episodes.Count;
        int episodes = (int)Math.Ceiling(steps / perEpisode);
        string log = folder.Data("teleop-equal-data.mcap");
        var recording = ClosedLoopRun.Run(settings.Robot, null, episodes, settings.Seed, log);
        while (recording.ExpertSteps < steps)
        {
            // Episodes vary in length: record again with more. The same seed makes each recording the last one and more.
            episodes += (int)Math.Ceiling((steps - recording.ExpertSteps) / perEpisode);
            File.Delete(log);
            recording = ClosedLoopRun.Run(settings.Robot, null, episodes, settings.Seed, log);
        }
        var policy = Train([recording.LogPath], "bc-equal-data");
        var evaluation = ClosedLoopRun.Run(settings.Robot, policy.PolicyPath, settings.EvaluationEpisodes, EvaluationSeed, folder.Evaluation("bc-equal-data.mcap"));
        say(string.Create(c, $"      BC on {policy.DatasetSteps} steps from {episodes} demonstrations: {evaluation.SuccessRate:P0} (DAgger's policy-{last.Round}: {last.Evaluation.SuccessRate:P0})"));
        return new BcControl(episodes, policy, evaluation);
    }

    private int EvaluationSeed => settings.Seed + 1;

    private double TimeScale => settings.TimeScale(Simulators.DefaultRate(settings.Robot));

    private TrainedPolicy Train(IReadOnlyList<string> logs, string name)
    {
        var clock = Stopwatch.StartNew();
        var config = settings.Training with { Kind = settings.Kind, Seed = settings.Seed };
        var data = PolicyTraining.Prepare(logs, config);
        string policy = folder.Policy(name + ".onnx");
        var run = new RunFolder(Path.ChangeExtension(policy, null) + ".run");
        var score = ValidationScore.For(config.SelectBy, data.Source.Kind);
        var result = PolicyTraining.TrainAndExport(data, config, logs, run, policy,
            training => showTraining(score, progress => training.Run(run, progress)));
        var trained = new TrainedPolicy(policy, run, result, score, data.TrainSteps + data.Validation.Count, data.TrainEpisodes + data.Validation.EpisodeCount,
            clock.Elapsed.TotalSeconds);
        say(string.Create(CultureInfo.InvariantCulture,
            $"      {data.Source.Kind} policy on {trained.DatasetSteps} expert steps from {trained.DatasetEpisodes} episodes: kept epoch {result.BestEpoch} of {result.Epochs}, {score.Name} {score.OfKept(result):G3}, {trained.Seconds:F1} s → {DemoFolder.FromWorkingDirectory(policy)}"));
        return trained;
    }
}
