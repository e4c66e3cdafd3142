using Robotics.Trainer.Cli;

return TrainerCli.Build().Parse(args).Invoke();
