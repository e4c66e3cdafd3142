using System.CommandLine;
using Robotics.Controller.Cli;

using var signals = StopSignals.Install();
return await ControllerCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
