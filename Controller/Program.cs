using System.CommandLine;
using Robotics.Controller.Cli;
using Robotics.Controller.CommandLine;

using var signals = StopSignals.Install();
return await ControllerCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
