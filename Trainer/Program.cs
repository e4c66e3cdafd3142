using System.CommandLine;
using Robotics.Controller.CommandLine;
using Robotics.Trainer.Cli;

return PlainOptions.Invoke(TrainerCli.Build().Parse(args), new InvocationConfiguration());
