using System.CommandLine;
using System.Globalization;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Training;
using Robotics.Controller.CommandLine;
using Robotics.Hardware.Simulation;

namespace Robotics.Trainer.Cli;

/// <summary><c>trainer eval</c>: closed-loop evaluation of a policy (or the scripted expert) on a simulator.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var policy = new Option<string?>("--policy") { Description = "The policy to deploy (an exported .onnx file)." };
        var expert = new Option<bool>("--expert") { Description = "Evaluate the simulator's scripted expert instead of a policy: the baseline for the same seed." };
        var robot = new Option<string?>("--robot") { Description = $"The simulator: {Simulators.Listed}; by default the one the policy was trained on (--expert needs it)." };
        // 100: at a 70 % success rate one standard error is 6.5 points over 50 episodes, 4.6 over 100; a run takes seconds.
        var episodes = RangedOptions.Int(ClosedLoopRun.Episodes, "Episodes to run.", 100);
        var seed = RangedOptions.Int(TrainingRanges.Seed, "Draws the episodes; use one the training logs were not recorded with.", 1);
        var record = new Option<string?>("--record") { Description = "Keep the recording of every tick here (a new .mcap file)." };
        var json = CliCommand.JsonOption();
        var command = new Command("eval", "Deploy a policy in the controller runtime on a simulator for N episodes and report success rate, episode length, final goal error, interventions and help requests.")
        {
            policy, expert, robot, episodes, seed, record, json,
        };
        command.SetAction(parse => CliCommand.Run(parse, json, console =>
        {
            string? policyPath = parse.GetValue(policy);
            if ((policyPath is null) == !parse.GetValue(expert))
            {
                throw new ArgumentException("say what to evaluate: --policy FILE or --expert");
            }
            string? kept = parse.GetValue(record) is string recordPath ? CliPaths.OutputFile("--record", recordPath, "eval.mcap") : null;
            string log = kept ?? Path.Combine(Path.GetTempPath(), $"trainer-eval-{Guid.NewGuid():N}.mcap");
            try
            {
                var result = ClosedLoopRun.Run(parse.GetValue(robot), policyPath, parse.GetValue(episodes), parse.GetValue(seed), log);
                var c = CultureInfo.InvariantCulture;
                console.Line(string.Create(c, $"{result.Driver} on {result.Robot}, seed {result.Seed}: {result.Episodes.Count} episodes"));
                console.Line(string.Create(c, $"success rate   {result.SuccessRate:P0} ({result.Episodes.Count(e => e.Succeeded)}/{result.Episodes.Count})"));
                console.Line(string.Create(c, $"episode length {result.MeanTicks:F0} ticks on average"));
                console.Line(string.Create(c, $"final error    {result.MeanFinalGoalError:G3} on average: {result.GoalErrorName}"));
                console.Line(string.Create(c, $"interventions  {result.Interventions}; help requests {result.HelpRequests}"));
                if (kept is not null)
                {
                    console.Line($"recording: {kept}");
                }
                var summary = result.ToJson();
                summary["log"] = kept;
                console.Summary(summary);
                return 0;
            }
            finally
            {
                if (kept is null)
                {
                    File.Delete(log);
                }
            }
        }));
        return command;
    }
}
