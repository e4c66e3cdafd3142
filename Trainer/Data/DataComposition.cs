using System.Text.Json.Nodes;

namespace Robotics.Trainer.Data;

/// <summary>
/// The expert steps of one outcome or one operator: in how many episodes, how many steps, the weight the group was
/// given and its share of the weighted data (its steps' weights over every step's, training and validation together).
/// </summary>
public sealed record DataGroup(string Name, int Episodes, long Steps, double Weight, double Share);

/// <summary>What a training run kept of its demonstrations, per outcome and per operator, and what the weights left out.</summary>
/// <param name="LeftOutSteps">Expert steps whose weight is 0, left out of training and validation.</param>
public sealed record DataComposition(IReadOnlyList<DataGroup> Outcomes, IReadOnlyList<DataGroup> Operators, long LeftOutSteps)
{
    public static DataComposition Empty { get; } = new([], [], 0);

    /// <summary>The figures as the run's config.json and <c>--json</c> summary carry them.</summary>
    public JsonObject ToJson() => new()
    {
        ["outcomes"] = Rows(Outcomes),
        ["operators"] = Rows(Operators),
        ["left_out_steps"] = LeftOutSteps,
    };

    private static JsonArray Rows(IReadOnlyList<DataGroup> groups) => new([.. groups.Select(g => (JsonNode)new JsonObject
    {
        ["name"] = g.Name,
        ["episodes"] = g.Episodes,
        ["steps"] = g.Steps,
        ["weight"] = g.Weight,
        ["share"] = g.Share,
    })]);
}
