using System.CommandLine;
using Robotics.Controller.CommandLine;
using Robotics.Hardware.Devices;

namespace Robotics.Controller.Cli;

/// <summary>The <c>controller</c> command line.</summary>
public static class ControllerCli
{
    public static RootCommand Build() => Build(DeviceRegistry.Default);

    /// <summary>The command line with <c>check</c> opening devices through <paramref name="registry"/> (tests: simulated chips).</summary>
    public static RootCommand Build(DeviceRegistry registry)
    {
        var bench = new Command("bench", "Measure what this machine can do: with --policy, the control loop on a null robot; subcommands measure parts.")
        {
            BenchLogCommand.Create(),
            BenchGrpcCommand.Create(),
            BenchServosCommand.Create(),
            BenchStalledClientCommand.Create(),
            BenchGrpcClientsCommand.Create(),
        };
        BenchLoopCommand.Configure(bench);
        return PlainOptions.Apply(new RootCommand("controller: the on-robot runtime that runs learned policies at a fixed rate, records every tick, and keeps the robot safe.")
        {
            RunCommand.Create(),
            GatewayCommand.Create(),
            TelemetryCommand.Create(),
            OverrideCommand.Create(),
            CalibrateCommand.Create(),
            CheckCommand.Create(registry),
            bench,
        });
    }
}
