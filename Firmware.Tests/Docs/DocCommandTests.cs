using System.CommandLine;
using System.Text.RegularExpressions;
using Robotics.Controller.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Docs;

/// <summary>
/// Every command line in README.md and docs/ names subcommands and options the commands really have: a newcomer
/// copies them as written, and a renamed flag left in a page is the first error they meet. Lines without
/// placeholders are parsed whole, so their values must parse too.
/// </summary>
public sealed partial class DocCommandTests
{
    public static TheoryData<string> Pages => DocLinkTests.Pages;

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_command_line_uses_subcommands_and_options_that_exist(string page)
    {
        var wrong = new List<string>();
        foreach (var (line, root, tokens) in Invocations(page))
        {
            if (Mismatch(root, tokens) is string problem)
            {
                wrong.Add($"`{line}`: {problem}");
            }
        }

        Assert.True(wrong.Count == 0, $"{page}:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void The_check_reads_the_command_lines_of_the_pages()
    {
        Assert.True(Invocations("README.md").Count() >= 20, "README.md: too few command lines found");
        Assert.Contains(Invocations("docs/remote.md"), invocation => invocation.Line.StartsWith("controller override", StringComparison.Ordinal));
    }

    [Fact]
    public void The_check_finds_a_misspelt_option_and_an_unknown_subcommand()
    {
        var controller = ControllerCli.Build();
        Assert.Contains("--polcy", Mismatch(controller, Tokens("run --robot sim:reach --polcy p.onnx")));
        Assert.Contains("runn", Mismatch(controller, Tokens("runn --robot sim:reach")));
        Assert.Contains("Hz", Mismatch(controller, Tokens("run --robot sim:reach --rate Hz")));
        Assert.Null(Mismatch(controller, Tokens("bench log --json")));
        Assert.Null(Mismatch(controller, Tokens("run --robot ROBOT [--policy P] [--mode autonomous|teleop|shadow]")));
    }

    private static IEnumerable<(string Line, RootCommand Root, string[] Tokens)> Invocations(string page) =>
        from line in CommandLines(File.ReadAllLines(Path.Combine(RepoPaths.Root, page)))
        let invocation = Invocation(line)
        where invocation is not null
        select (line, invocation.Value.Root, invocation.Value.Tokens);

    /// <summary>The lines of code blocks (fenced, or indented four spaces), with continuation lines joined.</summary>
    private static IEnumerable<string> CommandLines(string[] lines)
    {
        bool fenced = false;
        string pending = "";
        foreach (string raw in lines)
        {
            if (raw.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            if (!fenced && !raw.StartsWith("    ", StringComparison.Ordinal))
            {
                continue;
            }
            string line = pending + raw.Trim();
            if (line.EndsWith('\\'))
            {
                pending = line[..^1] + " ";
                continue;
            }
            pending = "";
            yield return line.StartsWith("$ ", StringComparison.Ordinal) ? line[2..] : line;
        }
    }

    /// <summary>The command line a doc line runs, and its arguments; null when the line runs neither command.</summary>
    private static (RootCommand Root, string[] Tokens)? Invocation(string line)
    {
        Match match = Prefix().Match(line);
        if (!match.Success)
        {
            return null;
        }
        string program = match.Groups["installed"].Success ? match.Groups["installed"].Value : match.Groups["project"].Value.ToLowerInvariant();
        RootCommand root = program == "controller" ? ControllerCli.Build() : TrainerCli.Build();
        // A shell chain or comment ends the command: `… && chmod`, `…  # why`.
        string command = Regex.Split(line[match.Length..], @"\s(&&|\|\||;|#)\s")[0];
        return (root, Tokens(command));
    }

    private static string[] Tokens(string command) =>
        [.. Token().Matches(command).Select(token => token.Value.Trim('"', '\''))];

    /// <summary>What in <paramref name="tokens"/> the command line does not have, or null when all of it exists.</summary>
    private static string? Mismatch(RootCommand root, string[] tokens)
    {
        Command command = root;
        int next = 0;
        while (next < tokens.Length && command.Subcommands.FirstOrDefault(sub => sub.Name == tokens[next]) is Command sub)
        {
            command = sub;
            next++;
        }
        if (command.Subcommands.Count > 0 && command.Arguments.Count == 0 && next < tokens.Length && !tokens[next].StartsWith('-'))
        {
            return $"`{command.Name}` has no subcommand `{tokens[next]}`";
        }
        var options = command.Options.Concat(Ancestors(command).SelectMany(parent => parent.Options.Where(option => option.Recursive)))
            .SelectMany(option => option.Aliases.Append(option.Name)).ToHashSet();
        foreach (string token in tokens[next..])
        {
            string name = token.TrimStart('[').TrimEnd(']').Split('=', '|')[0];
            if (name.StartsWith('-') && name.Length > 1 && !char.IsDigit(name[1]) && !options.Contains(name))
            {
                return $"`{command.Name}` has no option `{name}`";
            }
        }
        if (tokens.Any(Placeholder))
        {
            return null;
        }
        var errors = root.Parse(tokens).Errors;
        return errors.Count == 0 ? null : string.Join("; ", errors.Select(error => error.Message));
    }

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            yield return parent;
        }
    }

    /// <summary>A stand-in the reader or the shell replaces: [optional], a|choice, an ellipsis, a $variable, or a NAME in capitals.</summary>
    private static bool Placeholder(string token) =>
        token.IndexOfAny(['[', ']', '|', '…', '$']) >= 0 || token.Contains("...", StringComparison.Ordinal)
        || token.Any(char.IsUpper) && !token.Any(char.IsLower);

    // `controller …`, `trainer …`, or `dotnet run --project Controller [-c Release] -- …`.
    [GeneratedRegex(@"^(?:(?<installed>controller|trainer)\s|dotnet run --project (?<project>Controller|Trainer)(?:\s+-c\s+\w+)?\s+--\s)")]
    private static partial Regex Prefix();

    [GeneratedRegex("""
        "[^"]*"|'[^']*'|\S+
        """)]
    private static partial Regex Token();
}
