using System.Text.Json;
using Google.Protobuf.Reflection;
using Robotics.Controller.Gateway.Foxglove;
using Robotics.Hardware.Robots;
using Robotics.Hardware.Simulation;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;
using static Robotics.Tests.Support.FoxgloveLayoutFile;

namespace Robotics.Tests.Docs;

/// <summary>
/// docs/foxglove/sim-reach.json is a layout the Foxglove app imports (the checks its import makes, lichtblick's
/// validateLayoutData, and a mosaic tree whose panels all have a config), and every message path in it names a field
/// that the recording's and the live server's messages really have, within the simulated arm's vectors. What the
/// layout's User Script computes is <see cref="FoxgloveLayoutScriptTests"/>'.
/// </summary>
public sealed class FoxgloveLayoutFileTests
{
    private static readonly string[] ClassicKeys = ["configById", "layout", "globalVariables", "userNodes", "playbackConfig"];

    // The panel types the layout uses.
    private static readonly string[] PanelTypes = ["Plot", "StateTransitions", "RawMessages"];

    // Repeated Step fields as long as the action vector (one entry per action channel).
    private static readonly string[] ActionShaped = ["action", "policy_mean", "policy_log_std"];

    private static readonly RobotDescription Arm = ReachSimulation.Describe(ReachSimulation.DefaultRateHz);

    [Fact]
    public void The_file_is_a_classic_layout_that_Foxglove_imports()
    {
        var layout = Read(SimReach);

        // Only the keys an exported layout has; `version` is left out, as exports do.
        Assert.Equal(ClassicKeys.Order(), layout.EnumerateObject().Select(p => p.Name).Order());
        // What the app's import checks (validateLayoutData).
        Assert.Equal(JsonValueKind.Object, layout.GetProperty("configById").ValueKind);
        Assert.Equal(JsonValueKind.Object, layout.GetProperty("globalVariables").ValueKind);
        Assert.Equal(JsonValueKind.Number, layout.GetProperty("playbackConfig").GetProperty("speed").ValueKind);
        Assert.Equal(JsonValueKind.Object, layout.GetProperty("userNodes").ValueKind);
        Assert.Equal(JsonValueKind.Object, layout.GetProperty("layout").ValueKind);
        foreach (var script in layout.GetProperty("userNodes").EnumerateObject())
        {
            Assert.False(string.IsNullOrWhiteSpace(script.Value.GetProperty("name").GetString()), $"User Script {script.Name} has no name");
            Assert.False(string.IsNullOrWhiteSpace(script.Value.GetProperty("sourceCode").GetString()), $"User Script {script.Name} has no source");
        }

        // Every panel in the mosaic has a config and every config is in the mosaic, once.
        var leaves = new List<string>();
        CollectLeaves(layout.GetProperty("layout"), leaves);
        Assert.Equal(leaves.Count, leaves.Distinct().Count());
        Assert.Equal(layout.GetProperty("configById").EnumerateObject().Select(p => p.Name).Order(), leaves.Order());

        foreach (var panel in layout.GetProperty("configById").EnumerateObject())
        {
            string type = PanelType(panel.Name);
            Assert.True(PanelTypes.Contains(type), $"{panel.Name}: panel type {type} is not one of {string.Join(", ", PanelTypes)}");
            // Both apps' title keys, the same title (each ignores the other's).
            string? title = panel.Value.GetProperty("foxglovePanelTitle").GetString();
            Assert.False(string.IsNullOrWhiteSpace(title), $"{panel.Name} has no title");
            Assert.Equal(title, panel.Value.GetProperty("lichtblickPanelTitle").GetString());
            if (type == "RawMessages")
            {
                Assert.Equal(JsonValueKind.String, panel.Value.GetProperty("topicPath").ValueKind);
                continue;
            }
            // Series items are not merged with the panel's defaults, so each must be whole.
            var series = panel.Value.GetProperty("paths").EnumerateArray().ToList();
            Assert.NotEmpty(series);
            foreach (var item in series)
            {
                Assert.Equal(JsonValueKind.String, item.GetProperty("value").ValueKind);
                Assert.True(item.GetProperty("enabled").GetBoolean(), $"{panel.Name}: {item.GetProperty("value")} is switched off");
                // /step has no header stamp: series are placed by receive time, which is the log time in a recording.
                Assert.Equal("receiveTime", item.GetProperty("timestampMethod").GetString());
                Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("label").GetString()), $"{panel.Name}: {item.GetProperty("value")} has no label");
            }
        }
    }

    [Fact]
    public void Every_path_on_the_robots_topics_names_a_field_of_its_message_within_the_arms_vectors()
    {
        var layout = Read(SimReach);
        var messages = TopicMessages();

        foreach (var path in Paths(layout).Where(p => !IsScriptTopic(p.Topic)))
        {
            Assert.True(messages.TryGetValue(path.Topic, out var message),
                $"{path.PanelId}: {path.Value}: no recording or live topic {path.Topic} (there are {string.Join(", ", messages.Keys)})");
            if (path.Field is null)
            {
                Assert.Equal("RawMessages", PanelType(path.PanelId));
                continue;
            }
            var field = message!.FindFieldByName(path.Field);
            Assert.True(field is not null, $"{path.PanelId}: {path.Value}: {message.FullName} has no field {path.Field}");
            if (path.Index is int index)
            {
                Assert.True(field!.IsRepeated, $"{path.PanelId}: {path.Value}: {path.Field} is not repeated");
                int length = path.Field == "observation" ? Arm.Observations.Count
                    : ActionShaped.Contains(path.Field) ? Arm.Actions.Count
                    : throw new InvalidOperationException($"{path.PanelId}: {path.Value}: no known length for {path.Field}");
                Assert.True(index < length, $"{path.PanelId}: {path.Value}: index {index} past the arm's {length} entries");
            }
            else
            {
                // A plotted series is one number (or an enum, which State Transitions names).
                Assert.False(field!.IsRepeated, $"{path.PanelId}: {path.Value} is a whole array");
                Assert.True(field.FieldType is not (FieldType.Message or FieldType.String or FieldType.Bytes or FieldType.Group),
                    $"{path.PanelId}: {path.Value} is a {field.FieldType}, not a number");
            }
        }
    }

    [Fact]
    public void Each_of_the_arms_channels_is_plotted_under_its_own_name()
    {
        var layout = Read(SimReach);
        var titles = layout.GetProperty("configById").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("foxglovePanelTitle").GetString()!);
        var indexed = Paths(layout).Where(p => p.Index is not null).ToList();

        // Each observation once, labelled with its name.
        var observations = indexed.Where(p => p.Topic == TeleopTopics.Step && p.Field == "observation").ToList();
        Assert.Equal(Enumerable.Range(0, Arm.Observations.Count), observations.Select(p => p.Index!.Value).Order());
        Assert.All(observations, p => Assert.Equal(Arm.Observations[p.Index!.Value].Name, p.Label));

        // Each action channel in a panel of its own, named in its title: the action applied, the policy's mean and
        // the band's two edges, all of the same channel.
        for (int channel = 0; channel < Arm.Actions.Count; channel++)
        {
            string[] expected = [$"/step.action[{channel}]", $"/step.policy_mean[{channel}]", $"{ScriptTopic(layout)}.upper[{channel}]", $"{ScriptTopic(layout)}.lower[{channel}]"];
            var panel = Assert.Single(titles, t => t.Value.Contains(Arm.Actions[channel].Name, StringComparison.Ordinal));
            Assert.Equal(expected.Order(), indexed.Where(p => p.PanelId == panel.Key).Select(p => p.Value).Order());
        }

        // The help flag and who drove, over time.
        var states = Paths(layout).Where(p => PanelType(p.PanelId) == "StateTransitions").Select(p => p.Value).ToList();
        Assert.Contains("/step.source", states);
        Assert.Contains($"{ScriptTopic(layout)}.help", states);
    }

    /// <summary>Every topic a recording or a live robot has, with its message: what a path in the layout can name.</summary>
    private static Dictionary<string, MessageDescriptor> TopicMessages()
    {
        var byName = new[] { Step.Descriptor, Event.Descriptor, Status.Descriptor }
            .Concat(TeleopTopics.All.Select(t => t.Descriptor))
            .DistinctBy(d => d.FullName)
            .ToDictionary(d => d.FullName);
        var topics = TeleopTopics.All.ToDictionary(t => t.Topic, t => t.Descriptor);
        foreach (var channel in FoxgloveChannels.All)
        {
            Assert.True(byName.TryGetValue(channel.SchemaName, out var message), $"the live server's {channel.Topic} carries {channel.SchemaName}, which this test does not know");
            // The live /step is the recording's /step: one message for both.
            if (topics.TryGetValue(channel.Topic, out var recorded))
            {
                Assert.Equal(recorded.FullName, message!.FullName);
            }
            topics[channel.Topic] = message!;
        }
        return topics;
    }

    private static bool IsScriptTopic(string topic) => topic.StartsWith(ScriptPrefix, StringComparison.Ordinal);

    private static string ScriptTopic(JsonElement layout) => Assert.Single(Paths(layout).Select(p => p.Topic).Where(IsScriptTopic).Distinct());

    private static void CollectLeaves(JsonElement node, List<string> leaves)
    {
        if (node.ValueKind == JsonValueKind.String)
        {
            leaves.Add(node.GetString()!);
            return;
        }
        // A split: two children side by side ("row") or stacked ("column"), the first taking splitPercentage of it.
        Assert.Contains(node.GetProperty("direction").GetString(), new[] { "row", "column" });
        Assert.Subset(new HashSet<string> { "direction", "first", "second", "splitPercentage" }, node.EnumerateObject().Select(p => p.Name).ToHashSet());
        if (node.TryGetProperty("splitPercentage", out var split))
        {
            Assert.InRange(split.GetDouble(), 0, 100);
        }
        CollectLeaves(node.GetProperty("first"), leaves);
        CollectLeaves(node.GetProperty("second"), leaves);
    }
}
