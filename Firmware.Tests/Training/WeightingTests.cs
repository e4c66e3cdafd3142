using Robotics.Protos.Log;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Training;

/// <summary>Weights by outcome and operator: which steps they keep, how epochs draw the weighted samples, how validation scores them.</summary>
public sealed class WeightingTests
{
    /// <remarks>
    /// Six episodes of 544 steps in all, weighted as outcome × operator weights make them (0.05 to 3), and a seventh of
    /// 200 steps in which two operators weighing 1 and ⅓ take turns tick by tick, drawn for E = 500 epochs of n = 744.
    /// Independent draws would give group g (an episode, or one operator's half of the seventh) a binomial count per
    /// epoch, of mean n·p_g and standard deviation s_g = √(n·p_g(1 − p_g)), p_g its share of the weight.
    /// - Its mean over the epochs is asserted within 5·s_g/√E of n·p_g: five standard errors of independent draws
    ///   (these draws vary less, below), so a fair sampler misses it about once in 1.7 million seeds.
    /// - Its spread over the epochs is asserted at most 1.2·s_g: systematic resampling gives each sample ⌊n·pᵢ⌋ or
    ///   ⌈n·pᵢ⌉ draws, so counts cannot pile up as independent ones can (measured 0.25 to 0.97 of s_g); 1.2 leaves
    ///   six standard errors of a spread estimated from 500 epochs (1/√(2E) = 3 %). Drawing in the samples' own
    ///   order would fail it on the seventh episode: its light half drawn in every step or in none, a spread of half
    ///   its 100 steps where s_g is 6.
    /// - Each sample's count over the epochs is E·⌊n·pᵢ⌋ plus a binomial count of E trials with success probability f
    ///   = the fractional part of n·pᵢ, asserted within five of its standard deviations √(E·f(1 − f)) (plus one for
    ///   rounding at a sample's ends): the draws follow each sample's own weight, not merely its group's.
    /// </remarks>
    [Fact]
    public void Weighted_draws_give_each_episode_and_each_sample_its_share()
    {
        int[] lengths = [50, 120, 80, 200, 30, 64];
        float[] episodeWeights = [1, 0.2f, 3, 0.5f, 1, 0.05f];
        var weights = lengths.SelectMany((length, e) => Enumerable.Repeat(episodeWeights[e], length))
            .Concat(Enumerable.Range(0, 200).Select(t => t % 2 == 0 ? 1f : 1f / 3)).ToArray();
        var groupOf = lengths.SelectMany((length, e) => Enumerable.Repeat(e, length))
            .Concat(Enumerable.Range(0, 200).Select(t => lengths.Length + t % 2)).ToArray();
        int groups = lengths.Length + 2;
        int n = weights.Length;
        double total = weights.Sum(w => (double)w);
        var order = new WeightedOrder(weights);
        var drawn = new int[n];
        var perSample = new long[n];
        const int epochs = 500;
        var perGroup = new double[groups, epochs];

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            order.Draw(drawn, new Random(epoch));
            Assert.False(drawn.SequenceEqual(drawn.Order()), "the draws are shuffled into batches");
            foreach (int sample in drawn)
            {
                perSample[sample]++;
                perGroup[groupOf[sample], epoch]++;
            }
        }

        for (int g = 0; g < groups; g++)
        {
            double p = Enumerable.Range(0, n).Where(i => groupOf[i] == g).Sum(i => (double)weights[i]) / total;
            double independent = Math.Sqrt(n * p * (1 - p));
            var counts = Enumerable.Range(0, epochs).Select(epoch => perGroup[g, epoch]).ToArray();
            double mean = counts.Average();
            double spread = Math.Sqrt(counts.Sum(c => (c - mean) * (c - mean)) / epochs);
            Assert.True(Math.Abs(mean - n * p) <= 5 * independent / Math.Sqrt(epochs), $"group {g} drew {mean:F2} a epoch, expected {n * p:F2}");
            Assert.True(spread <= 1.2 * independent, $"group {g}'s draws spread {spread:F2} from epoch to epoch; independent draws would spread {independent:F2}");
        }
        for (int i = 0; i < n; i++)
        {
            double perEpoch = n * weights[i] / total;
            double fraction = perEpoch - Math.Floor(perEpoch);
            double tolerance = 5 * Math.Sqrt(epochs * fraction * (1 - fraction)) + 1;
            Assert.True(Math.Abs(perSample[i] - epochs * perEpoch) <= tolerance, $"sample {i} drawn {perSample[i]} times, expected {epochs * perEpoch:F1} ± {tolerance:F1}");
        }
    }

    /// <summary>Weights 1 and 3 are exactly each sample once or three times: the weighted scores are the scores of the samples so repeated.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Weighted_validation_scores_as_if_each_sample_were_repeated_by_its_weight(bool categorical)
    {
        PolicyHead head = categorical ? new CategoricalHead() : new GaussianHead();
        const int count = 60;
        const int actions = 3;
        var shape = new PolicyShape(head, 2, actions, [4], Activation.Tanh);
        var random = new Random(5);
        float Next() => (float)(random.NextDouble() * 2 - 1);
        var samples = new SampleSet(count, [.. Enumerable.Range(0, count * 2).Select(_ => Next())],
            categorical ? [] : [.. Enumerable.Range(0, count * actions).Select(_ => Next())],
            categorical ? [.. Enumerable.Range(0, count).Select(_ => (long)random.Next(actions))] : [], 6)
        {
            Weights = [.. Enumerable.Range(0, count).Select(i => i % 4 == 0 ? 3f : 1f)],
        };
        var outputs = head.Outputs(shape).Select(o => Enumerable.Range(0, count * o.Width).Select(_ => Next()).ToArray()).ToList();
        var normalization = new Normalization([0, 0], [1, 1], [0.5f, 0, 0], [2, 1, 3]);

        var weighted = WeightedScoring.For(samples, shape)!.Score(shape, outputs, normalization);

        var repeated = Enumerable.Range(0, count).SelectMany(i => Enumerable.Repeat(i, (int)samples.Weights[i])).ToArray();
        var expanded = head.Score(shape, [.. outputs.Select(o => Rows(o, o.Length / count, repeated))],
            new SampleSet(repeated.Length, Rows(samples.Observations, 2, repeated), Rows(samples.Targets, samples.Targets.Length / count, repeated),
                categorical ? [.. repeated.Select(i => samples.Labels[i])] : [], 6), normalization);
        var unweighted = head.Score(shape, outputs, samples, normalization);
        Assert.Equal(expanded.Nll, weighted.Nll, 9);
        Assert.Equal(expanded.Mse, weighted.Mse, 9);
        if (categorical)
        {
            Assert.Equal(expanded.Accuracy, weighted.Accuracy, 9);
        }
        Assert.NotEqual(unweighted.Nll, weighted.Nll, 3);
        Assert.Equal(unweighted.Uncertainty, weighted.Uncertainty);
    }

    [Fact]
    public void A_step_weighs_its_outcomes_weight_times_its_operators_and_zero_leaves_it_out()
    {
        var demonstrations = Demonstrations(
            Episode(1, EpisodeOutcome.Success, "alice", "alice", "bob", "bob"),
            Episode(2, EpisodeOutcome.Failure, "alice", "bob", "bob", "carol"),
            Episode(3, EpisodeOutcome.Aborted, "alice", "alice"));

        var weighted = DemonstrationWeighting.Apply(demonstrations,
            new Dictionary<string, double> { ["failure"] = 0.5, ["aborted"] = 0 }, new Dictionary<string, double> { ["bob"] = 2, ["*"] = 0 });

        // alice and carol weigh 0 (*), and so does the aborted episode: bob's steps are left, 1 × 2 in the success, 0.5 × 2 in the failure.
        Assert.Equal([1ul, 2ul], weighted.Episodes.Select(e => e.Id));
        Assert.Equal([2f, 2f], weighted.Episodes[0].Weights);
        Assert.Equal([1f, 1f], weighted.Episodes[1].Weights);
        Assert.All(weighted.Episodes, e => Assert.Equal(["bob", "bob"], e.Operators));
        Assert.Equal([2f, 2f], weighted.Episodes[1].Observations);
        var composition = weighted.Composition;
        Assert.Equal(6, composition.LeftOutSteps);
        Assert.Equal(
            [new DataGroup("success", 1, 4, 1, 4 / 6.0), new DataGroup("failure", 1, 4, 0.5, 2 / 6.0), new DataGroup("aborted", 1, 2, 0, 0)],
            composition.Outcomes);
        Assert.Equal(
            [new DataGroup("alice", 3, 5, 0, 0), new DataGroup("bob", 2, 4, 2, 1), new DataGroup("carol", 1, 1, 0, 0)],
            composition.Operators);
    }

    [Fact]
    public void Equal_weights_leave_the_samples_unweighted_so_an_epoch_is_the_plain_shuffle()
    {
        var demonstrations = Demonstrations(
            Episode(1, EpisodeOutcome.Success, "alice", "bob"), Episode(2, EpisodeOutcome.Failure, "alice"), Episode(3, EpisodeOutcome.Success, "bob", "bob"));

        var weighted = DemonstrationWeighting.Apply(demonstrations, new Dictionary<string, double> { ["*"] = 0.4 }, new Dictionary<string, double>());
        var data = TrainingData.Split(weighted, 1.0 / 3, seed: 1, stdFloor: 1e-3);

        Assert.All(weighted.Episodes, e => Assert.Empty(e.Weights));
        Assert.Empty(data.Train.Weights);
        Assert.Empty(data.Validation.Weights);
        Assert.All(weighted.Composition.Outcomes, g => Assert.Equal(0.4, g.Weight));
    }

    [Fact]
    public void Weights_that_leave_no_step_are_refused_naming_the_options_given()
    {
        var demonstrations = Demonstrations(Episode(1, EpisodeOutcome.Success, "alice"), Episode(2, EpisodeOutcome.Failure, "alice"));

        var error = Assert.Throws<InvalidDataException>(() => DemonstrationWeighting.Apply(demonstrations,
            new Dictionary<string, double>(), new Dictionary<string, double> { ["alice"] = 0 }));

        Assert.Equal("--weight-operator 'alice=0': every expert step weighs 0 (success 1 steps, failure 1 steps; alice 2 steps), so nothing would be learned", error.Message);
    }

    private static float[] Rows(float[] values, int width, int[] rows) => [.. rows.SelectMany(i => values.AsSpan(i * width, width).ToArray())];

    /// <summary>An episode of one observation and one action per step, both its id, driven by <paramref name="operators"/> in turn.</summary>
    private static DemoEpisode Episode(ulong id, EpisodeOutcome outcome, params string[] operators) =>
        new("memory", id, operators.Length, [.. operators.Select(_ => (float)id)], [.. operators.Select(_ => (float)id)], [])
        {
            Outcome = outcome,
            Operators = operators,
        };

    private static Demonstrations Demonstrations(params DemoEpisode[] episodes) => new()
    {
        Kind = new GaussianHead(),
        Robot = "memory",
        ControlRateHz = 10,
        ObservationNames = ["x"],
        ActionNames = ["a"],
        DiscreteActionNames = [],
        Episodes = episodes,
    };
}
