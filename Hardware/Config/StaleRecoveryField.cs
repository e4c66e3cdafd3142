using System.Text.Json;
using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Config;

/// <summary>
/// A device's <c>stale_recovery</c>: <c>"operator"</c> (the default when absent) or <c>{ "fresh_ticks": N }</c>, N a
/// whole number from 1 to <see cref="StaleRecovery.MaxFreshTicks"/>. Either shape or nothing: a misspelt rule must
/// not leave a robot on a recovery its author did not choose.
/// </summary>
internal static class StaleRecoveryField
{
    private const string Shapes = "must be \"operator\" or { \"fresh_ticks\": N }";

    /// <summary>The rule <paramref name="value"/> gives; false on a bad one, with the field under stale_recovery at fault ("" or ".name") and the rule it breaks.</summary>
    public static bool TryParse(JsonElement value, out StaleRecovery rule, out string field, out string error)
    {
        (rule, field, error) = (StaleRecovery.Operator, "", "");
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return true;
            case JsonValueKind.String when value.GetString() == "operator":
                return true;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (property.Name != "fresh_ticks")
                    {
                        (field, error) = ("." + property.Name, $"unknown field: stale_recovery {Shapes}");
                        return false;
                    }
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int ticks) || ticks is < 1 or > StaleRecovery.MaxFreshTicks)
                    {
                        (field, error) = (".fresh_ticks", $"must be a whole number of ticks from 1 to {StaleRecovery.MaxFreshTicks}");
                        return false;
                    }
                    rule = new StaleRecovery(ticks);
                }
                if (!rule.ClearsByItself)
                {
                    (field, error) = (".fresh_ticks", "required: how many consecutive fresh ticks clear the fault");
                    return false;
                }
                return true;
            default:
                error = Shapes;
                return false;
        }
    }
}
