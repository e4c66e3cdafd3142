using System.Globalization;
using Robotics.Hardware.Simulation;
using Robotics.Trainer.Dagger;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Studies;

/// <summary>How big the DAgger study is.</summary>
public sealed record DaggerStudySettings
{
    public const string Robot = "sim:lane";

    public int Seeds { get; init; } = 3;

    /// <summary>Plain BC's demonstration counts, its points on the curve; DAgger starts from the first.</summary>
    public IReadOnlyList<int> BcDemonstrations { get; init; } = [10, 20, 40, 80];

    public int DaggerDemonstrations => BcDemonstrations[0];

    public static WholeRange DemonstrationsRange { get; } = DemoSettings.DemonstrationRange with { Name = "--bc-demos" };

    public int Rounds { get; init; } = 3;

    public int RoundEpisodes { get; init; } = 10;

    public int EvaluationEpisodes { get; init; } = 100;

    public TrainingConfig Training { get; init; } = new DemoSettings().Training;

    /// <summary>The demo's gate and pace for the rounds: the expert watches over gRPC at 200 ticks a wall-clock second.</summary>
    public DemoSettings Demo { get; init; } = new();

    public void Validate()
    {
        MultimodalSettings.SeedsRange.Require(Seeds);
        if (BcDemonstrations.Count == 0)
        {
            throw new ArgumentException($"{DemonstrationsRange.Name}: needs at least one demonstration count");
        }
        foreach (int demonstrations in BcDemonstrations)
        {
            DemonstrationsRange.Require(demonstrations);
        }
        DemoSettings.RoundsRange.Require(Rounds);
        DemoSettings.RoundEpisodesRange.Require(RoundEpisodes);
        DemoSettings.EvaluationRange.Require(EvaluationEpisodes);
        Training.Validate();
    }
}

/// <summary>One policy on the curve: how many steps an expert labelled for it (and in how many takeovers), and how it did.</summary>
/// <param name="Name">Its files' name; <paramref name="Label"/> says what it is for people.</param>
/// <param name="Round">DAgger's round (0: the demonstrations alone); −1 for plain BC.</param>
public sealed record LabelledPoint(string Name, string Label, int Round, long LabelledSteps, int Takeovers, EvaluationResult Evaluation);

/// <summary>One seed: the expert, plain BC at each size, and DAgger round by round.</summary>
public sealed record DaggerSeed(int Seed, EvaluationResult Expert, IReadOnlyList<LabelledPoint> Bc, IReadOnlyList<LabelledPoint> Dagger);

/// <summary>
/// DAgger against plain BC, counted the way the lecture counts an expert's effort: by the steps it labelled
/// (docs/learning.md#dagger-that-pays-for-the-experts-time). Per seed on sim:lane, plain BC trains on more and more
/// demonstrations, and HG-DAgger starts from the smallest set and adds the expert's corrections over gRPC round by
/// round; every policy drives the same unseen episodes.
/// </summary>
public sealed class DaggerStudy(DaggerStudySettings settings, DemoFolder folder, Action<string> say)
{
    private readonly StudyTrainer _trainer = new(folder, say);

    public async Task<IReadOnlyList<DaggerSeed>> RunAsync(CancellationToken cancellation)
    {
        settings.Validate();
        var c = CultureInfo.InvariantCulture;
        const string robot = DaggerStudySettings.Robot;
        double timeScale = settings.Demo.TimeScale(Simulators.DefaultRate(robot));
        var results = new List<DaggerSeed>();
        for (int seed = 0; seed < settings.Seeds; seed++)
        {
            int evaluationSeed = Study.EvaluationSeedBase + seed;
            var expert = ClosedLoopRun.Run(robot, null, settings.EvaluationEpisodes, evaluationSeed, folder.Evaluation($"expert-seed{seed}.mcap"));
            var bc = new List<LabelledPoint>();
            foreach (int demonstrations in settings.BcDemonstrations)
            {
                say(string.Create(c, $"[seed {seed}] plain BC on {demonstrations} demonstrations of {robot}"));
                // The same seed records each set, so the larger sets hold the smaller ones and more.
                var recording = ClosedLoopRun.Run(robot, null, demonstrations, seed, folder.Data($"teleop-{demonstrations}-seed{seed}.mcap"));
                string name = $"bc-{demonstrations}-seed{seed}";
                string policy = _trainer.Train([recording.LogPath], settings.Training with { Seed = seed }, name);
                bc.Add(new LabelledPoint(name, $"plain BC on {demonstrations} demonstrations", -1, recording.ExpertSteps, 0, Evaluate(policy, name, evaluationSeed)));
            }

            say(string.Create(c, $"[seed {seed}] DAgger from {settings.DaggerDemonstrations} demonstrations, {settings.Rounds} rounds of {settings.RoundEpisodes} episodes"));
            var start = ClosedLoopRun.Run(robot, null, settings.DaggerDemonstrations, seed, folder.Data($"dagger-teleop-seed{seed}.mcap"));
            var logs = new List<string> { start.LogPath };
            string current = _trainer.Train(logs, settings.Training with { Seed = seed }, $"dagger-0-seed{seed}");
            long labelled = start.ExpertSteps;
            int takeovers = 0;
            var dagger = new List<LabelledPoint>
            {
                new($"dagger-0-seed{seed}", $"DAgger's start: plain BC on {settings.DaggerDemonstrations} demonstrations", 0, labelled, 0,
                    Evaluate(current, $"dagger-0-seed{seed}", evaluationSeed)),
            };
            for (int round = 1; round <= settings.Rounds; round++)
            {
                var collected = await DaggerRound.RunAsync(robot, current, settings.RoundEpisodes, Study.RoundSeed(seed, round), timeScale,
                    settings.Demo.Gate, folder.Data($"dagger-{round}-seed{seed}.mcap"), cancellation);
                logs.Add(collected.Episodes.LogPath);
                labelled += collected.Episodes.ExpertSteps;
                takeovers += collected.Expert.Takeovers;
                string name = $"dagger-{round}-seed{seed}";
                current = _trainer.Train(logs, settings.Training with { Seed = seed }, name);
                dagger.Add(new LabelledPoint(name, $"DAgger round {round}", round, labelled, takeovers, Evaluate(current, name, evaluationSeed)));
                say(string.Create(c, $"      round {round}: {collected.Expert.Takeovers} takeovers, {collected.Episodes.ExpertSteps} labelled steps; policy {dagger[^1].Evaluation.SuccessRate:P0}"));
            }
            results.Add(new DaggerSeed(seed, expert, bc, dagger));
        }
        return results;
    }

    private EvaluationResult Evaluate(string policy, string name, int seed)
    {
        var evaluation = ClosedLoopRun.Run(null, policy, settings.EvaluationEpisodes, seed, folder.Evaluation(name + ".mcap"));
        say(string.Create(CultureInfo.InvariantCulture, $"      {name}: {evaluation.SuccessRate:P0} on {settings.EvaluationEpisodes} unseen episodes"));
        return evaluation;
    }
}
