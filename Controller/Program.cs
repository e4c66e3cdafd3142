using Robotics.Controller.Cli;

return ControllerCli.Build().Parse(args).Invoke();
