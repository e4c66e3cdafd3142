using Robotics.Trainer.Dagger;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Demo;

/// <summary>
/// How big each stage of the demo is. Seeds: the teleop recording uses <see cref="Seed"/>, evaluation
/// <see cref="Seed"/> + 1 (episodes no training data comes from), DAgger round r <see cref="Seed"/> + 1 + r.
/// </summary>
public sealed record DemoSettings
{
    public string Robot { get; init; } = "sim:reach";

    /// <summary>The policy head; null for what the robot's actions imply.</summary>
    public PolicyHead? Kind { get; init; }

    public int Seed { get; init; }

    /// <summary>Teleop episodes recorded for plain BC: few, as from a person's afternoon.</summary>
    public int DemonstrationEpisodes { get; init; } = 20;

    public int EvaluationEpisodes { get; init; } = 100;

    public int Rounds { get; init; } = 4;

    public int RoundEpisodes { get; init; } = 20;

    /// <summary>
    /// Ticks per second of wall-clock time in the DAgger rounds, whatever the robot's rate: they run faster
    /// than real time (2× for the 100 Hz reach, 4× for the 50 Hz cart-pole). The expert's commands reach the
    /// loop in about a millisecond (docs/benchmarks.md) after telemetry polled every 2 ms: at 5 ms a tick they
    /// land on the tick after the one they answer, which is what the expert predicts for. Measured on
    /// sim:reach: at 2.5 ms a tick its recorded labels were off its own action by 0.16 N·m on average (9 % by
    /// more than 0.5 N·m); at 5 ms by 0.03 N·m (1.5 %).
    /// </summary>
    public double RoundTickRateHz { get; init; } = 200;

    /// <summary>How much faster than real time a robot at <paramref name="rateHz"/> runs in the DAgger rounds.</summary>
    public double TimeScale(double rateHz) => Math.Max(1, RoundTickRateHz / rateHz);

    public GateOptions Gate { get; init; } = new();

    /// <summary>
    /// Every training of the demo: the trainer's defaults (made for a few tens of demonstrations, as here), with
    /// a step budget. The DAgger rounds add data each round and the last trainings learn from several times the
    /// first one's steps, so with epochs and patience alone the demo's length would grow with its data; the
    /// budget keeps each training to a bounded time (12,000 steps of 64 samples, a few tens of seconds on two
    /// cores) while early stopping still ends the small first trainings before it.
    /// </summary>
    public TrainingConfig Training { get; init; } = new() { MaxSteps = 12_000 };

    /// <summary>
    /// The defaults for a simulator, sized to show the effect in a few minutes on two cores (under one with
    /// <paramref name="quick"/>). The cart-pole's LQR expert is easy to copy, so it gets 3 demonstrations:
    /// from 5 on, plain BC already balances every evaluation episode and there is no gap to close.
    /// </summary>
    public static DemoSettings For(string robot, bool quick) => (robot, quick) switch
    {
        ("sim:cartpole", false) => new() { Robot = robot, DemonstrationEpisodes = 3, Rounds = 3, RoundEpisodes = 10 },
        ("sim:cartpole", true) => new() { Robot = robot, DemonstrationEpisodes = 3, EvaluationEpisodes = 50, Rounds = 2, RoundEpisodes = 8, Training = QuickTraining },
        (_, false) => new() { Robot = robot },
        (_, true) => new() { Robot = robot, EvaluationEpisodes = 50, Rounds = 2, RoundEpisodes = 15, Training = QuickTraining },
    };

    private static TrainingConfig QuickTraining => new DemoSettings().Training with { MaxSteps = 4_000 };

    // Each stage records or evaluates simulated episodes of a few seconds each: beyond these the demo runs for days.
    public static WholeRange DemonstrationRange { get; } = new("--demos", 2, 1000);
    public static WholeRange RoundsRange { get; } = new("--rounds", 0, 20);
    public static WholeRange RoundEpisodesRange { get; } = new("--round-episodes", 1, 1000);
    public static WholeRange EvaluationRange { get; } = new("--eval-episodes", 1, 10_000);

    public void Validate()
    {
        DemonstrationRange.Require(DemonstrationEpisodes);
        EvaluationRange.Require(EvaluationEpisodes);
        RoundsRange.Require(Rounds);
        RoundEpisodesRange.Require(RoundEpisodes);
        if (!(RoundTickRateHz is >= 10 and <= 2000))
        {
            throw new ArgumentException("round tick rate: must be between 10 and 2000 Hz");
        }
        Training.Validate();
    }
}
