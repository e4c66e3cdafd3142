using Robotics.Controller.Policy;
using Robotics.Controller.Policy.Heads;
using Robotics.Protos.Control;
using Robotics.Protos.Log;

namespace Robotics.Tests.Controller;

/// <summary>The runtime's heads on their own: selection, uncertainty, and how each writes itself into a log step and a telemetry frame.</summary>
public sealed class PolicyHeadTests
{
    private static PolicyMetadata Metadata(PolicyHead head, int actions, string[] discrete, int components = 0) => new(
        head, "sim:test", ["x"], [.. Enumerable.Range(0, actions).Select(i => $"a{i}")], discrete, new float[actions], new float[actions], 100,
        [0f], [1f], [.. Enumerable.Repeat(2f, actions)], 1, 0.02, components, EnsembleMembers: 1, HelpNoveltyThreshold: null, HelpObservationZThreshold: null);

    /// <summary>
    /// Two components over two action entries: weights 0.25 and 0.75, means (1, 2) and (−1, −2), σ (0.1, 1) and (0.1, 4).
    /// The first entry tells a draw's component: ±1 with σ 0.1 never cross 0.
    /// </summary>
    private static readonly float[] Mixture =
        [0f, MathF.Log(3f), 1f, 2f, -1f, -2f, MathF.Log(0.1f), 0f, MathF.Log(0.1f), MathF.Log(4f)];

    [Fact]
    public void The_heads_are_found_by_the_name_in_the_policy_file_and_by_the_kind_in_a_record()
    {
        Assert.IsType<GaussianHead>(PolicyHeads.Named("gaussian"));
        Assert.IsType<CategoricalHead>(PolicyHeads.Named("categorical"));
        Assert.IsType<GaussianMixtureHead>(PolicyHeads.Named("gaussian_mixture"));
        Assert.Null(PolicyHeads.Named("mixture"));
        Assert.IsType<GaussianMixtureHead>(PolicyHeads.Of(HeadKind.GaussianMixture));
        Assert.IsType<CategoricalHead>(PolicyHeads.Of(HeadKind.Categorical));
        Assert.Throws<ArgumentOutOfRangeException>(() => PolicyHeads.Of(HeadKind.None));
    }

    [Fact]
    public void A_gaussian_acts_with_its_mean_or_a_reparameterized_draw_and_is_as_unsure_as_its_widest_normalized_sigma()
    {
        var head = new GaussianHead();
        var metadata = Metadata(head, 2, []);
        float[] outputs = [0.3f, -0.7f, MathF.Log(0.5f), MathF.Log(4f)];
        var action = new float[2];

        Assert.Equal([new HeadTensor("mean", 0, 2), new HeadTensor("log_std", 2, 2)], head.Tensors(metadata));
        head.SelectAction(outputs, action, stochastic: false, new LoopRandom(1));
        Assert.Equal([0.3f, -0.7f], action);
        // σ / training std: 0.5 / 2 and 4 / 2.
        Assert.Equal(2.0, head.Uncertainty(outputs, metadata), 6);

        // Draws: mean and spread of μ + σ·ε over many ticks.
        var random = new LoopRandom(7);
        var draws = Enumerable.Range(0, 20_000).Select(_ =>
        {
            head.SelectAction(outputs, action, stochastic: true, random);
            return action[1];
        }).ToArray();
        double mean = draws.Average();
        double std = Math.Sqrt(draws.Select(d => (d - mean) * (d - mean)).Average());
        Assert.Equal(-0.7, mean, 1);
        Assert.Equal(4.0, std, 1);
    }

    [Fact]
    public void A_categorical_acts_with_its_argmax_or_a_draw_from_its_softmax_and_is_as_unsure_as_its_normalized_entropy()
    {
        var head = new CategoricalHead();
        var metadata = Metadata(head, 1, ["left", "none", "right"]);
        float[] sure = [0f, 8f, 0f];
        float[] even = [1f, 1f, 1f];
        var action = new float[1];

        Assert.Equal([new HeadTensor("logits", 0, 3)], head.Tensors(metadata));
        head.SelectAction(sure, action, stochastic: false, new LoopRandom(1));
        Assert.Equal(1f, action[0]);
        Assert.Equal(1.0, head.Uncertainty(even, metadata), 6);
        Assert.InRange(head.Uncertainty(sure, metadata), 0, 0.01);

        var random = new LoopRandom(3);
        float[] skewed = [MathF.Log(0.2f), MathF.Log(0.3f), MathF.Log(0.5f)];
        var counts = new int[3];
        for (int i = 0; i < 30_000; i++)
        {
            head.SelectAction(skewed, action, stochastic: true, random);
            counts[(int)action[0]]++;
        }
        Assert.Equal([0.2, 0.3, 0.5], counts.Select(c => Math.Round(c / 30_000.0, 2)));
    }

    [Fact]
    public void A_mixture_acts_with_its_likeliest_components_mean_or_draws_a_component_then_from_it_and_is_as_unsure_as_that_component()
    {
        var head = new GaussianMixtureHead();
        var metadata = Metadata(head, 2, [], components: 2);
        var action = new float[2];

        Assert.Equal([new HeadTensor("mixture_logits", 0, 2), new HeadTensor("component_means", 2, 4), new HeadTensor("component_log_stds", 6, 4)],
            head.Tensors(metadata));
        head.SelectAction(Mixture, action, stochastic: false, new LoopRandom(1));
        Assert.Equal([-1f, -2f], action);
        // The likeliest component's σ over the training std: 0.1 / 2 and 4 / 2, not the other component's 1 / 2.
        Assert.Equal(2.0, head.Uncertainty(Mixture, metadata), 6);

        // Draws: a quarter near the first component, three quarters from the second, each with its own spread.
        var random = new LoopRandom(11);
        var draws = Enumerable.Range(0, 40_000).Select(_ =>
        {
            head.SelectAction(Mixture, action, stochastic: true, random);
            return (action[0], action[1]);
        }).ToArray();
        var first = draws.Where(d => d.Item1 > 0).Select(d => (double)d.Item2).ToArray();
        var second = draws.Where(d => d.Item1 <= 0).Select(d => (double)d.Item2).ToArray();
        Assert.Equal(0.25, first.Length / 40_000.0, 1);
        Assert.Equal(2.0, first.Average(), 1);
        Assert.Equal(-2.0, second.Average(), 1);
        double secondMean = second.Average();
        Assert.Equal(4.0, Math.Sqrt(second.Select(d => (d - secondMean) * (d - secondMean)).Average()), 1);
    }

    [Fact]
    public void Each_head_writes_itself_into_a_log_step_and_a_telemetry_frame_under_its_own_name()
    {
        var step = new Step();
        var frame = new TelemetryFrame();

        new GaussianHead().WriteStep([0.3f, -0.7f, 0f, MathF.Log(2f)], 2, step);
        new GaussianHead().WriteTelemetry([0.3f, -0.7f, 0f, MathF.Log(2f)], 2, frame);
        Assert.Equal(HeadKind.Gaussian, step.PolicyHead);
        Assert.Equal([0.3f, -0.7f], step.PolicyMean);
        Assert.Equal([0f, MathF.Log(2f)], step.PolicyLogStd);
        Assert.Empty(step.PolicyLogits);
        Assert.Equal(TelemetryFrame.PolicyOneofCase.Gaussian, frame.PolicyCase);
        Assert.Equal([1f, 2f], frame.Gaussian.Std);

        new CategoricalHead().WriteStep([0f, MathF.Log(3f)], 1, step);
        new CategoricalHead().WriteTelemetry([0f, MathF.Log(3f)], 1, frame);
        Assert.Equal(HeadKind.Categorical, step.PolicyHead);
        Assert.Empty(step.PolicyMean);
        Assert.Empty(step.PolicyLogStd);
        Assert.Equal([0f, MathF.Log(3f)], step.PolicyLogits);
        Assert.Equal(TelemetryFrame.PolicyOneofCase.Categorical, frame.PolicyCase);
        Assert.Equal(0.25, frame.Categorical.Probabilities[0], 6);
        Assert.Equal(0.75, frame.Categorical.Probabilities[1], 6);

        new GaussianMixtureHead().WriteStep(Mixture, 2, step);
        new GaussianMixtureHead().WriteTelemetry(Mixture, 2, frame);
        Assert.Equal(HeadKind.GaussianMixture, step.PolicyHead);
        // The likeliest component where a Gaussian's mean and log σ go; every component beside them.
        Assert.Equal([-1f, -2f], step.PolicyMean);
        Assert.Equal([MathF.Log(0.1f), MathF.Log(4f)], step.PolicyLogStd);
        Assert.Equal([0f, MathF.Log(3f)], step.PolicyLogits);
        Assert.Equal([1f, 2f, -1f, -2f], step.ComponentMeans);
        Assert.Equal(Mixture[6..], step.ComponentLogStds);
        Assert.Equal(TelemetryFrame.PolicyOneofCase.GaussianMixture, frame.PolicyCase);
        Assert.Equal(0.25, frame.GaussianMixture.Weights[0], 6);
        Assert.Equal(1u, frame.GaussianMixture.Mode);
        Assert.Equal([0.1f, 1f, 0.1f, 4f], frame.GaussianMixture.Stds.Select(v => MathF.Round(v, 5)));

        new GaussianHead().WriteStep([0.3f, -0.7f, 0f, MathF.Log(2f)], 2, step);
        Assert.Empty(step.ComponentMeans);
        Assert.Empty(step.ComponentLogStds);
    }
}
