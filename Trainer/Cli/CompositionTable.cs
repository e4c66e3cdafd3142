using System.Globalization;
using Robotics.Controller.Policy;
using Robotics.Trainer.Data;
using Robotics.Trainer.Logs;

namespace Robotics.Trainer.Cli;

/// <summary>What <c>trainer train</c> prints of the data it kept: per outcome and per operator, episodes, steps, weight and share.</summary>
internal static class CompositionTable
{
    public static IEnumerable<string> Lines(DataComposition composition)
    {
        var rows = composition.Outcomes.Select(g => (Group: g, Name: g.Name))
            .Concat(composition.Operators.Select(g => (Group: g, Name: Printable.Line(LogSummary.OperatorName(g.Name), 40))))
            .ToList();
        int width = Math.Max("operator".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length)) + 2;
        foreach (var (title, count) in new[] { ("outcome", composition.Outcomes.Count), ("operator", composition.Operators.Count) })
        {
            yield return $"  {title.PadRight(width)}episodes     steps   weight   share";
            foreach (var (group, name) in title == "outcome" ? rows.Take(count) : rows.Skip(composition.Outcomes.Count))
            {
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"  {name.PadRight(width)}{group.Episodes,8}{group.Steps,10}{group.Weight,9:G4}{group.Share * 100,7:F1} %");
            }
        }
        if (composition.LeftOutSteps > 0)
        {
            yield return $"  left out: {composition.LeftOutSteps} steps that weigh 0";
        }
    }
}
