using System.Globalization;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Studies;

/// <summary>How big the multimodal study is.</summary>
public sealed record MultimodalSettings
{
    /// <summary>The task built for it: two equally good ways past an obstacle, chosen at random per episode.</summary>
    public const string Robot = "sim:detour";

    public int Seeds { get; init; } = 3;

    /// <summary>Enough that both ways appear about equally often (20 each on average).</summary>
    public int DemonstrationEpisodes { get; init; } = 40;

    public int EvaluationEpisodes { get; init; } = 100;

    /// <summary>The demo's budget (<see cref="DemoSettings.Training"/>): a few tens of seconds per training on two cores.</summary>
    public TrainingConfig Training { get; init; } = new DemoSettings().Training;

    public static WholeRange SeedsRange { get; } = new("--seeds", 1, 20);

    public void Validate()
    {
        SeedsRange.Require(Seeds);
        DemoSettings.DemonstrationRange.Require(DemonstrationEpisodes);
        DemoSettings.EvaluationRange.Require(EvaluationEpisodes);
        Training.Validate();
    }
}

/// <summary>One seed's run: the same demonstrations learned by each head, and each deployed on the same unseen episodes.</summary>
public sealed record MultimodalSeed(int Seed, EvaluationResult Demonstrations, EvaluationResult Expert, EvaluationResult Gaussian, EvaluationResult Mixture);

/// <summary>
/// Gaussian BC against Gaussian-mixture BC where the expert has two good answers (docs/learning.md#more-than-one-good-answer):
/// per seed, the scripted expert records demonstrations on sim:detour, a Gaussian policy and a mixture policy train on
/// exactly those (same split, same training seed), and the expert and both policies drive the same unseen episodes.
/// </summary>
public sealed class MultimodalStudy(MultimodalSettings settings, DemoFolder folder, Action<string> say)
{
    private readonly StudyTrainer _trainer = new(folder, say);

    public IReadOnlyList<MultimodalSeed> Run()
    {
        settings.Validate();
        var c = CultureInfo.InvariantCulture;
        var results = new List<MultimodalSeed>();
        for (int seed = 0; seed < settings.Seeds; seed++)
        {
            say(string.Create(c, $"[seed {seed}] the expert records {settings.DemonstrationEpisodes} demonstrations on {MultimodalSettings.Robot}"));
            var demonstrations = ClosedLoopRun.Run(MultimodalSettings.Robot, null, settings.DemonstrationEpisodes, seed, folder.Data($"teleop-seed{seed}.mcap"));
            string gaussian = _trainer.Train([demonstrations.LogPath], settings.Training with { Kind = new GaussianHead(), Seed = seed }, $"gaussian-seed{seed}");
            string mixture = _trainer.Train([demonstrations.LogPath], settings.Training with { Kind = new GaussianMixtureHead(), Seed = seed }, $"mixture-seed{seed}");
            int evaluationSeed = Study.EvaluationSeedBase + seed;
            var expert = ClosedLoopRun.Run(MultimodalSettings.Robot, null, settings.EvaluationEpisodes, evaluationSeed, folder.Evaluation($"expert-seed{seed}.mcap"));
            var gaussianRun = ClosedLoopRun.Run(null, gaussian, settings.EvaluationEpisodes, evaluationSeed, folder.Evaluation($"gaussian-seed{seed}.mcap"));
            var mixtureRun = ClosedLoopRun.Run(null, mixture, settings.EvaluationEpisodes, evaluationSeed, folder.Evaluation($"mixture-seed{seed}.mcap"));
            say(string.Create(c, $"      on {settings.EvaluationEpisodes} unseen episodes: expert {expert.SuccessRate:P0}, Gaussian {gaussianRun.SuccessRate:P0}, mixture {mixtureRun.SuccessRate:P0}"));
            results.Add(new MultimodalSeed(seed, demonstrations, expert, gaussianRun, mixtureRun));
        }
        return results;
    }
}
