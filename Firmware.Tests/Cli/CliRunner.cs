using System.CommandLine;
using System.Text.Json;
using Robotics.Controller.CommandLine;

namespace Robotics.Tests.Cli;

/// <summary>Runs a command line in-process, capturing what it prints.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun Of(RootCommand root, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = PlainOptions.Invoke(root.Parse(args), new InvocationConfiguration { Output = stdout, Error = stderr });
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The --json summary: the last line of stdout.</summary>
    public JsonElement Json => JsonDocument.Parse(Stdout.TrimEnd().Split('\n')[^1]).RootElement.Clone();
}
