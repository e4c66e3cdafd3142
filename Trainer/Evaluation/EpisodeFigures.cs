using Robotics.Hardware.Simulation;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Trainer.Evaluation;

/// <summary>One recorded episode, summed up.</summary>
/// <param name="Ticks">Steps recorded.</param>
/// <param name="FinalGoalError">The task's goal error (<see cref="SimulatedRobot.GoalError"/>) at the last step.</param>
/// <param name="Interventions">Times an operator took over (runs of steps flagged as interventions).</param>
/// <param name="HelpRequests">Times the robot began asking for help (runs of steps flagged so).</param>
/// <param name="ExpertSteps">Steps an expert drove (teleop or override): what training learns from.</param>
/// <param name="GoalErrorTrace">The goal error at every step, for plots.</param>
public sealed record EpisodeFigures(ulong Id, EpisodeOutcome Outcome, int Ticks, double FinalGoalError, int Interventions, int HelpRequests,
    int ExpertSteps, float[] GoalErrorTrace)
{
    public bool Succeeded => Outcome == EpisodeOutcome.Success;

    /// <summary>Sums up every episode of a log the task <paramref name="task"/> describes.</summary>
    public static List<EpisodeFigures> FromLog(string path, SimulatedRobot task) =>
        [.. TeleopLogReader.Read(path).Episodes.Select(episode => From(episode, task))];

    public static EpisodeFigures From(TeleopEpisode episode, SimulatedRobot task)
    {
        var steps = episode.Steps;
        var trace = new float[steps.Count];
        int interventions = 0;
        int help = 0;
        int expert = 0;
        uint previous = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            trace[i] = (float)task.GoalError(step.Observation.ToArray());
            interventions += Rises(previous, step.Flags, StepFlag.Intervention);
            help += Rises(previous, step.Flags, StepFlag.HelpRequested);
            if (step.Source is ActionSource.Teleop or ActionSource.Override)
            {
                expert++;
            }
            previous = step.Flags;
        }
        return new EpisodeFigures(episode.Id, episode.Outcome, steps.Count, trace.Length == 0 ? double.NaN : trace[^1], interventions, help, expert, trace);
    }

    private static int Rises(uint before, uint now, StepFlag flag) => (now & (uint)flag) != 0 && (before & (uint)flag) == 0 ? 1 : 0;
}
