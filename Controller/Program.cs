using System.CommandLine;
using Robotics.Controller.Cli;
using Robotics.Controller.CommandLine;

using var signals = StopSignals.Install();
return await PlainOptions.InvokeAsync(ControllerCli.Build().Parse(args), new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
