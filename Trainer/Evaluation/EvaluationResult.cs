using System.Text.Json.Nodes;

namespace Robotics.Trainer.Evaluation;

/// <summary>Episodes run in closed loop by one driver (a policy, or the scripted expert), with their totals.</summary>
/// <param name="Driver">What drove: the policy's file name or the expert's name.</param>
/// <param name="LogPath">The recording of every tick of these episodes.</param>
public sealed record EvaluationResult(string Driver, string Robot, int Seed, string GoalErrorName, IReadOnlyList<EpisodeFigures> Episodes, string LogPath)
{
    public double SuccessRate => Episodes.Count == 0 ? 0 : Episodes.Count(e => e.Succeeded) / (double)Episodes.Count;

    public double MeanTicks => Episodes.Count == 0 ? 0 : Episodes.Average(e => e.Ticks);

    public double MeanFinalGoalError => Episodes.Count == 0 ? double.NaN : Episodes.Average(e => e.FinalGoalError);

    public int Interventions => Episodes.Sum(e => e.Interventions);

    public int HelpRequests => Episodes.Sum(e => e.HelpRequests);

    public int ExpertSteps => Episodes.Sum(e => e.ExpertSteps);

    /// <summary>A figure for JSON, which has no NaN: null when there is nothing to average.</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? value : null;

    public JsonObject ToJson() => new()
    {
        ["driver"] = Driver,
        ["robot"] = Robot,
        ["seed"] = Seed,
        ["episodes"] = Episodes.Count,
        ["success_rate"] = SuccessRate,
        ["mean_episode_ticks"] = MeanTicks,
        ["mean_final_goal_error"] = Number(MeanFinalGoalError),
        ["goal_error"] = GoalErrorName,
        ["interventions"] = Interventions,
        ["help_requests"] = HelpRequests,
        ["log"] = LogPath,
    };
}
