using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Trainer.Evaluation;

namespace Robotics.Trainer.Demo;

/// <summary>The demo's figures as a table (printed and in the report) and as JSON (<c>--json</c> and demo.json).</summary>
public static class DemoSummary
{
    public static JsonObject Json(DemoOutcome outcome, string folder) => new()
    {
        ["robot"] = outcome.Settings.Robot,
        ["seed"] = outcome.Settings.Seed,
        ["evaluation_episodes"] = outcome.Settings.EvaluationEpisodes,
        ["expert_success"] = outcome.Expert.SuccessRate,
        ["bc_success"] = outcome.BcEvaluation.SuccessRate,
        ["dagger_success"] = outcome.Final.SuccessRate,
        ["demonstration_episodes"] = outcome.Settings.DemonstrationEpisodes,
        ["demonstration_steps"] = outcome.Teleop.ExpertSteps,
        ["rounds"] = new JsonArray([.. outcome.Rounds.Select(r => (JsonNode)new JsonObject
        {
            ["round"] = r.Round,
            ["episodes"] = r.Collected.Episodes.Episodes.Count,
            ["interventions"] = r.Collected.Expert.Takeovers,
            ["takeovers_on_drift"] = r.Collected.Expert.TakeoversOnDrift,
            ["takeovers_on_help"] = r.Collected.Expert.TakeoversOnHelp,
            ["help_requests"] = r.Collected.Episodes.HelpRequests,
            ["expert_steps"] = r.Collected.Episodes.ExpertSteps,
            ["success_with_expert"] = r.Collected.Episodes.SuccessRate,
            ["dataset_steps"] = r.Retrained.DatasetSteps,
            ["success"] = r.Evaluation.SuccessRate,
            ["mean_final_goal_error"] = EvaluationResult.Number(r.Evaluation.MeanFinalGoalError),
        })]),
        ["bc_equal_data_success"] = outcome.EqualDataBc?.Evaluation.SuccessRate,
        ["bc_equal_data_steps"] = outcome.EqualDataBc?.Policy.DatasetSteps,
        ["goal_error"] = outcome.Expert.GoalErrorName,
        ["expert_mean_final_goal_error"] = EvaluationResult.Number(outcome.Expert.MeanFinalGoalError),
        ["bc_mean_final_goal_error"] = EvaluationResult.Number(outcome.BcEvaluation.MeanFinalGoalError),
        ["seconds"] = outcome.Seconds,
        ["report"] = Path.Combine(folder, "report.md"),
    };

    /// <summary>One row per driver: the expert, plain BC, each DAgger round's policy; Markdown, readable as plain text too.</summary>
    public static IReadOnlyList<string> Table(DemoOutcome outcome)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"| driver | learned from (expert steps) | interventions | help requests | success on {outcome.Settings.EvaluationEpisodes} unseen episodes | final {outcome.Expert.GoalErrorName}, mean |",
            "|---|---:|---:|---:|---:|---:|",
            string.Create(c, $"| expert | — | — | — | {outcome.Expert.SuccessRate:P0} | {outcome.Expert.MeanFinalGoalError:G3} |"),
            string.Create(c, $"| BC (policy-0) | {outcome.Bc.DatasetSteps} | — | — | {outcome.BcEvaluation.SuccessRate:P0} | {outcome.BcEvaluation.MeanFinalGoalError:G3} |"),
        };
        foreach (var round in outcome.Rounds)
        {
            var collected = round.Collected.Episodes;
            lines.Add(string.Create(c,
                $"| DAgger round {round.Round} (policy-{round.Round}) | {round.Retrained.DatasetSteps} | {round.Collected.Expert.Takeovers} | {collected.HelpRequests} | {round.Evaluation.SuccessRate:P0} | {round.Evaluation.MeanFinalGoalError:G3} |"));
        }
        if (outcome.EqualDataBc is { } control)
        {
            lines.Add(string.Create(c,
                $"| BC on as much data ({control.Episodes} demonstrations) | {control.Policy.DatasetSteps} | — | — | {control.Evaluation.SuccessRate:P0} | {control.Evaluation.MeanFinalGoalError:G3} |"));
        }
        return lines;
    }
}
