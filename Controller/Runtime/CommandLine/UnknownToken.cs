using System.CommandLine;
using System.CommandLine.Parsing;

namespace Robotics.Controller.CommandLine;

/// <summary>
/// What to tell a user who typed an option or a command that the command line does not know: one line naming it and
/// where the help is, with the nearest known names last ("did you mean --policy?"), where a user's eye lands.
/// System.CommandLine shows its own suggestion only above the whole help text; and the other errors such a token
/// causes (its value left over, the option it misspells "required") only repeat the one mistake, so they are left out.
/// </summary>
internal static class UnknownToken
{
    private const int MaxSuggestions = 3;

    /// <summary>The line for the first token the command line did not know, or null when there is none (or it is a stray argument).</summary>
    public static string? Describe(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count == 0)
        {
            return null;
        }
        string token = parse.UnmatchedTokens[0];
        var at = parse.CommandResult;
        bool isOption = token.StartsWith('-');
        if (!isOption && at.Command.Subcommands.Count == 0)
        {
            return null;
        }
        var known = isOption
            ? Options(at).SelectMany(o => o.Aliases.Prepend(o.Name))
            : at.Command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        // "--polcy=x.onnx" is the option "--polcy" with its value.
        string typed = isOption ? token.Split('=', 2)[0] : token;
        string path = CommandPath(at);
        string owner = path.Length == 0 ? "there is" : $"{path} has";
        string help = path.Length == 0 ? "--help" : $"{path} --help";
        string line = $"{owner} no {(isOption ? "option" : "command")} '{typed}' (`{help}` lists them)";
        var nearest = Nearest(typed, known.Distinct(StringComparer.Ordinal));
        return nearest.Count == 0 ? line : $"{line}; did you mean {string.Join(" or ", nearest)}?";
    }

    /// <summary>The command's own options and those its ancestors share with it (--help).</summary>
    private static IEnumerable<Option> Options(CommandResult command)
    {
        for (SymbolResult? at = command; at is not null; at = at.Parent)
        {
            if (at is CommandResult result)
            {
                foreach (var option in result.Command.Options.Where(o => !o.Hidden && (result == command || o.Recursive)))
                {
                    yield return option;
                }
            }
        }
    }

    /// <summary>"log info": the subcommands from the root down, without the root (whose name is the executable's).</summary>
    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? at = command; at is CommandResult { Parent: not null } result; at = result.Parent)
        {
            names.Insert(0, result.Command.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary>The known names closest to <paramref name="typed"/> in edits, or that it begins; none when none is close.</summary>
    private static List<string> Nearest(string typed, IEnumerable<string> known)
    {
        string bare = typed.TrimStart('-');
        var scored = known
            .Select(name => (Name: name, Distance: name.TrimStart('-').StartsWith(bare, StringComparison.Ordinal) && bare.Length >= 2 ? 0 : Edits(bare, name.TrimStart('-'))))
            // A one-letter alias is one edit from any one-letter typo: only names longer than the edits count.
            .Where(c => c.Distance <= Math.Max(2, bare.Length / 3) && c.Distance < c.Name.TrimStart('-').Length)
            .ToList();
        return scored.Count == 0
            ? []
            : [.. scored.Where(c => c.Distance == scored.Min(s => s.Distance)).Select(c => c.Name).Order(StringComparer.Ordinal).Take(MaxSuggestions)];
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Edits(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
