using System.Globalization;
using Robotics.Hardware.Simulation;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Studies;

/// <summary>How big the imperfect-expert study is.</summary>
public sealed record ImperfectExpertSettings
{
    public const string Robot = "sim:reach";

    public int Seeds { get; init; } = 3;

    /// <summary>The expert's demonstrations: enough for plain BC to do well on them alone (the demo's control reaches 86–91 % with about 60).</summary>
    public int GoodEpisodes { get; init; } = 42;

    /// <summary>The careless operator's: 30 % of all the demonstrations with <see cref="GoodEpisodes"/>.</summary>
    public int CarelessEpisodes { get; init; } = 18;

    /// <summary>
    /// How far past the target the careless operator aims in each joint, radians: 0.2 rad settles the tip 6–18 cm from
    /// the target (the arm's reach is 0.3–0.9 m), and 30 % of it in a policy that averages, 2–5 cm: outside the 2 cm it must reach.
    /// </summary>
    public double CarelessMisjudgement { get; init; } = 0.2;

    /// <summary>The weight <c>--weight-operator</c> gives the careless operator's steps in the weighted run.</summary>
    public double CarelessWeight { get; init; } = 0.2;

    public int EvaluationEpisodes { get; init; } = 100;

    public TrainingConfig Training { get; init; } = new DemoSettings().Training;

    public static WholeRange CarelessRange { get; } = new("--careless", 1, 1000);

    public void Validate()
    {
        MultimodalSettings.SeedsRange.Require(Seeds);
        DemoSettings.DemonstrationRange.Require(GoodEpisodes);
        CarelessRange.Require(CarelessEpisodes);
        DemoSettings.EvaluationRange.Require(EvaluationEpisodes);
        Training.Validate();
    }
}

/// <summary>One way of training on the mixed demonstrations, and how its policy did.</summary>
public sealed record ImperfectExpertRun(string Name, string Description, EvaluationResult Evaluation);

/// <summary>One seed: the two recordings, the expert on the evaluation episodes, and each way of training.</summary>
public sealed record ImperfectExpertSeed(int Seed, EvaluationResult Good, EvaluationResult Careless, EvaluationResult Expert, IReadOnlyList<ImperfectExpertRun> Runs);

/// <summary>
/// BC copies the demonstrator, mistakes included (docs/learning.md#the-imperfect-expert): per seed, the expert records
/// good demonstrations of sim:reach and a careless operator, who misjudges where the target is, records bad ones (which the
/// task's success criterion marks as failures); policies train on the expert's alone, on everything, on the successful
/// episodes only, and on everything with the careless operator's steps weighted down; all drive the same unseen episodes.
/// </summary>
public sealed class ImperfectExpertStudy(ImperfectExpertSettings settings, DemoFolder folder, Action<string> say)
{
    private readonly StudyTrainer _trainer = new(folder, say);

    /// <summary>The ways of training, in the report's order: a name for files and JSON, and what it is for people.</summary>
    public static IReadOnlyList<(string Name, string Description)> Ways { get; } =
    [
        ("expert-only", "BC on the expert's demonstrations alone"),
        ("all", "BC on all of them"),
        ("only-success", "BC on the successful episodes (--only-success)"),
        ("operator-weighted", "BC on all, the careless operator's steps weighted down (--weight-operator)"),
    ];

    public IReadOnlyList<ImperfectExpertSeed> Run()
    {
        settings.Validate();
        var c = CultureInfo.InvariantCulture;
        var results = new List<ImperfectExpertSeed>();
        for (int seed = 0; seed < settings.Seeds; seed++)
        {
            say(string.Create(c, $"[seed {seed}] the expert records {settings.GoodEpisodes} demonstrations on {ImperfectExpertSettings.Robot}; a careless operator records {settings.CarelessEpisodes}"));
            var good = ClosedLoopRun.Run(ImperfectExpertSettings.Robot, null, settings.GoodEpisodes, seed, folder.Data($"expert-seed{seed}.mcap"));
            var careless = ClosedLoopRun.Run(ImperfectExpertSettings.Robot, null, settings.CarelessEpisodes, Study.SecondRecordingSeed + seed,
                folder.Data($"careless-seed{seed}.mcap"), robot => new CarelessReachExpert((ReachSimulation)robot, settings.CarelessMisjudgement));
            say(string.Create(c, $"      the expert succeeded in {good.SuccessRate:P0} of its episodes, the careless operator in {careless.SuccessRate:P0}"));
            int evaluationSeed = Study.EvaluationSeedBase + seed;
            var expert = ClosedLoopRun.Run(ImperfectExpertSettings.Robot, null, settings.EvaluationEpisodes, evaluationSeed, folder.Evaluation($"expert-seed{seed}.mcap"));
            var runs = new List<ImperfectExpertRun>();
            foreach (var (name, description) in Ways)
            {
                var config = settings.Training with { Seed = seed };
                IReadOnlyList<string> logs = [good.LogPath, careless.LogPath];
                (logs, config) = name switch
                {
                    "expert-only" => ([good.LogPath], config),
                    "only-success" => (logs, config with { OnlySuccess = true }),
                    "operator-weighted" => (logs, config with { OperatorWeights = new Dictionary<string, double> { [CarelessReachExpert.Name] = settings.CarelessWeight } }),
                    _ => (logs, config),
                };
                string policy = _trainer.Train(logs, config, $"{name}-seed{seed}");
                var evaluation = ClosedLoopRun.Run(null, policy, settings.EvaluationEpisodes, evaluationSeed, folder.Evaluation($"{name}-seed{seed}.mcap"));
                runs.Add(new ImperfectExpertRun(name, description, evaluation));
            }
            string policies = string.Join(", ", runs.Select(r => string.Create(c, $"{r.Name} {r.Evaluation.SuccessRate:P0}")));
            say(string.Create(c, $"      on {settings.EvaluationEpisodes} unseen episodes: expert {expert.SuccessRate:P0}, {policies}"));
            results.Add(new ImperfectExpertSeed(seed, good, careless, expert, runs));
        }
        return results;
    }
}
