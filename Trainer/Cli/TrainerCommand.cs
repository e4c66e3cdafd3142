using System.CommandLine;
using Microsoft.ML.OnnxRuntime;
using Robotics.Controller.CommandLine;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Cli;

/// <summary>
/// <see cref="CliCommand.Run"/> for commands that train or run models: a failure inside ONNX Runtime is one
/// plain line on stderr and exit code 1 too, not a stack trace with C++ source paths.
/// </summary>
internal static class TrainerCommand
{
    public static int Run(ParseResult parse, Option<bool> json, string during, Func<CommandOutput, int> body) =>
        CliCommand.Run(parse, json, console =>
        {
            try
            {
                return body(console);
            }
            catch (OnnxRuntimeException e)
            {
                console.Error(OnnxRuntimeFailure.Describe(e, during));
                return 1;
            }
        });

    public static Task<int> RunAsync(ParseResult parse, Option<bool> json, string during, Func<CommandOutput, Task<int>> body) =>
        CliCommand.RunAsync(parse, json, async console =>
        {
            try
            {
                return await body(console);
            }
            catch (OnnxRuntimeException e)
            {
                console.Error(OnnxRuntimeFailure.Describe(e, during));
                return 1;
            }
        });
}
