using System.Text.Json;
using Robotics.Protos.Policy;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Training;

/// <summary>How heads are found: by the name --kind and the policy metadata use, or by the logs' action space.</summary>
public sealed class PolicyHeadTests
{
    [Fact]
    public void Each_head_is_found_by_its_metadata_name_and_logs_get_the_first_head_of_their_action_space()
    {
        Assert.Equal([PolicyContract.GaussianKind, PolicyContract.CategoricalKind, PolicyContract.GaussianMixtureKind], PolicyHeads.Names);
        foreach (var head in PolicyHeads.All)
        {
            Assert.Same(head, PolicyHeads.Named(head.MetadataName));
        }
        Assert.Null(PolicyHeads.Named("mixture"));
        Assert.Null(PolicyHeads.Named(null));
        Assert.IsType<CategoricalHead>(PolicyHeads.For(discreteActions: true));
        Assert.IsType<GaussianHead>(PolicyHeads.For(discreteActions: false));
    }

    [Fact]
    public void A_run_config_names_its_head_and_reads_it_back()
    {
        string json = JsonSerializer.Serialize(new TrainingConfig { Kind = new CategoricalHead() });
        Assert.Contains("\"Kind\":\"categorical\"", json);
        Assert.IsType<CategoricalHead>(JsonSerializer.Deserialize<TrainingConfig>(json)!.Kind);

        Assert.Null(JsonSerializer.Deserialize<TrainingConfig>(JsonSerializer.Serialize(new TrainingConfig()))!.Kind);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TrainingConfig>("{\"Kind\":\"mixture\"}"));
    }

    [Theory]
    [InlineData(PolicyContract.GaussianKind, 6, "mean log_std")]
    [InlineData(PolicyContract.CategoricalKind, 3, "logits")]
    [InlineData(PolicyContract.GaussianMixtureKind, 4 * (1 + 2 * 3), "mixture_logits component_means component_log_stds")]
    public void The_last_layer_is_as_wide_as_the_heads_outputs_and_too_few_actions_are_refused(string kind, int width, string outputs)
    {
        var head = PolicyHeads.Named(kind)!;
        var shape = new PolicyShape(head, observations: 2, actions: 3, hidden: [4], Activation.Tanh, mixtureComponents: 4);
        Assert.Equal(width, shape.HeadOutputs);
        Assert.Equal(outputs, string.Join(' ', head.Outputs(shape).Select(o => o.Name)));
        Assert.Equal(width, head.Outputs(shape).Sum(o => o.Width));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyShape(head, observations: 2, head.MinimumActions - 1, hidden: [4], Activation.Tanh));
    }
}
