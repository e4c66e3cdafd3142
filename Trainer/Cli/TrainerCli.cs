using System.CommandLine;
using Robotics.Controller.CommandLine;

namespace Robotics.Trainer.Cli;

/// <summary>The <c>trainer</c> command line.</summary>
public static class TrainerCli
{
    public static RootCommand Build() => PlainOptions.Apply(new RootCommand("trainer: trains behavioral-cloning policies from teleop logs and exports them as one ONNX file.")
    {
        DemoCommand.Create(),
        StudyCommand.Create(),
        TrainCommand.Create(),
        InspectCommand.Create(),
        EvalCommand.Create(),
        LogCommands.Create(),
        new Command("bench", "Measure the trainer on this machine.") { BenchTrainCommand.Create() },
    });
}
