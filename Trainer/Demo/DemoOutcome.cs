using Robotics.Trainer.Dagger;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Reports;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Demo;

/// <summary>A policy the demo trained: its file, its run folder, how training went.</summary>
/// <param name="Score">The validation score its epoch was kept by.</param>
/// <param name="DatasetSteps">Expert steps it learned from (training and validation).</param>
public sealed record TrainedPolicy(string PolicyPath, RunFolder Folder, TrainingResult Result, ValidationScore Score, long DatasetSteps, int DatasetEpisodes, double Seconds);

/// <summary>One DAgger round: the episodes the previous policy drove with the expert watching, and the policy retrained after them.</summary>
public sealed record DemoRound(int Round, RoundEpisodes Collected, TrainedPolicy Retrained, EvaluationResult Evaluation);

/// <summary>Plain BC on as much teleop data as DAgger's last policy had: whether DAgger's gain is more than more data.</summary>
public sealed record BcControl(int Episodes, TrainedPolicy Policy, EvaluationResult Evaluation);

/// <summary>Everything the demo did, for the report and the summary.</summary>
public sealed record DemoOutcome(
    DemoSettings Settings,
    EvaluationResult Teleop,
    TrainedPolicy Bc,
    EvaluationResult Expert,
    EvaluationResult BcEvaluation,
    IReadOnlyList<DemoRound> Rounds,
    BcControl? EqualDataBc,
    double Seconds)
{
    /// <summary>The policy after the last round (plain BC when there were none).</summary>
    public EvaluationResult Final => Rounds.Count == 0 ? BcEvaluation : Rounds[^1].Evaluation;
}
