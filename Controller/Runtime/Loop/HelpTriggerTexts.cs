using Robotics.Protos.Log;

namespace Robotics.Controller.Loop;

/// <summary>
/// The help request event's text, naming the triggers that fired on the tick that raised it: made once for each of
/// the eight sets of triggers, so the loop picks one without allocating.
/// </summary>
public static class HelpTriggerTexts
{
    private static readonly (HelpTrigger Trigger, string Name)[] Names =
    [
        (HelpTrigger.Uncertainty, "uncertainty"),
        (HelpTrigger.Novelty, "novelty"),
        (HelpTrigger.ObservationZ, "observation z"),
    ];

    private static readonly string[] Requests = [.. Enumerable.Range(0, 1 << Names.Length).Select(Text)];

    /// <summary>"the robot asks for help: novelty, observation z over its threshold" for those two bits of <paramref name="triggers"/>.</summary>
    public static string Request(uint triggers) => Requests[triggers & (uint)(Requests.Length - 1)];

    private static string Text(int mask)
    {
        var fired = Names.Where(n => (mask & (int)n.Trigger) != 0).Select(n => n.Name).ToList();
        return fired.Count switch
        {
            0 => "the robot asks for help",
            1 => $"the robot asks for help: {fired[0]} over its threshold",
            _ => $"the robot asks for help: {string.Join(", ", fired)} over their thresholds",
        };
    }
}
