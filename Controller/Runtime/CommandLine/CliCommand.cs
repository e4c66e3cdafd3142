using System.CommandLine;
using Robotics.Protos.Mcap;

namespace Robotics.Controller.CommandLine;

/// <summary>Helpers shared by the controller's and the trainer's command lines.</summary>
public static class CliCommand
{
    /// <summary>The --json option every command that ends with a summary takes.</summary>
    public static Option<bool> JsonOption() => new("--json")
    {
        Description = "Also print the summary as one JSON object on the last line of stdout.",
    };

    /// <summary>
    /// Runs a command body, turning the errors a user can cause (bad files, bad arguments) into one line on
    /// stderr and exit code 1 rather than a stack trace.
    /// </summary>
    public static int Run(ParseResult parse, Option<bool>? json, Func<CommandOutput, int> body)
    {
        var config = parse.InvocationConfiguration;
        var output = new CommandOutput(config.Output, config.Error, json is not null && parse.GetValue(json));
        try
        {
            return body(output);
        }
        catch (Exception e) when (IsUserError(e))
        {
            output.Error(e.Message);
            return 1;
        }
    }

    /// <summary>The asynchronous form of <see cref="Run"/>, for commands that talk over the network.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Option<bool>? json, Func<CommandOutput, Task<int>> body)
    {
        var config = parse.InvocationConfiguration;
        var output = new CommandOutput(config.Output, config.Error, json is not null && parse.GetValue(json));
        try
        {
            return await body(output);
        }
        catch (Exception e) when (IsUserError(e))
        {
            output.Error(e.Message);
            return 1;
        }
        catch (Grpc.Core.RpcException e)
        {
            output.Error($"{e.StatusCode}: {e.Status.Detail}");
            return 2;
        }
    }

    /// <summary>
    /// <see cref="RunAsync"/> for a command that has something to close when it is stopped (a loop driving a
    /// robot, a log, a server, a lease): it must end soon after its cancellation token is cancelled, which
    /// Ctrl+C or SIGTERM then does instead of ending the process (see <see cref="StopSignals"/>).
    /// </summary>
    public static Task<int> RunStoppableAsync(ParseResult parse, Option<bool>? json, Func<CommandOutput, Task<int>> body)
    {
        StopSignals.Installed?.StopGracefully();
        return RunAsync(parse, json, body);
    }

    /// <summary>
    /// Errors caused by what the user gave (files, arguments, data, the machine's setup), reported as one
    /// line; anything else is a bug and keeps its stack trace.
    /// </summary>
    public static bool IsUserError(Exception e) =>
        e is McapFormatException or IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException
            or FormatException or NotSupportedException;
}
