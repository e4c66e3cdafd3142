using Robotics.Trainer.Logs;

namespace Robotics.Trainer.Data;

/// <summary>
/// Gives each expert step its sampling weight, the weight of its episode's outcome times that of the operator who
/// drove it (<c>--weight-outcome</c>, <c>--weight-operator</c>), leaves out the steps that weigh 0, and counts what
/// each outcome and operator holds. Training draws samples in proportion to their weights and validation scores by
/// the same weights (docs/training.md#weighting-and-filtering).
/// </summary>
public static class DemonstrationWeighting
{
    public const string OutcomeOption = "--weight-outcome";
    public const string OperatorOption = "--weight-operator";

    /// <exception cref="InvalidDataException">Every step weighs 0.</exception>
    public static Demonstrations Apply(Demonstrations demonstrations, IReadOnlyDictionary<string, double> outcomeWeights, IReadOnlyDictionary<string, double> operatorWeights)
    {
        var outcomes = new Dictionary<string, Tally>(StringComparer.Ordinal);
        var operators = new Dictionary<string, Tally>(StringComparer.Ordinal);
        var weighed = new List<(DemoEpisode Episode, float[] Weights)>();
        double total = 0;
        long leftOut = 0;
        foreach (var episode in demonstrations.Episodes)
        {
            string outcome = OutcomeNames.Of(episode.Outcome);
            float outcomeWeight = (float)WeightTable.Of(outcomeWeights, outcome);
            var weights = new float[episode.Steps];
            for (int step = 0; step < episode.Steps; step++)
            {
                string @operator = episode.OperatorOf(step);
                weights[step] = outcomeWeight * (float)WeightTable.Of(operatorWeights, @operator);
                Count(outcomes, outcome, episode, weights[step]);
                Count(operators, @operator, episode, weights[step]);
                total += weights[step];
                leftOut += weights[step] == 0 ? 1 : 0;
            }
            weighed.Add((episode, weights));
        }
        if (total == 0)
        {
            var given = new[] { (OutcomeOption, outcomeWeights), (OperatorOption, operatorWeights) }.Where(o => o.Item2.Count > 0).Select(o => $"{o.Item1} '{WeightTable.Format(o.Item2)}'");
            throw new InvalidDataException($"{string.Join(" with ", given)}: every expert step weighs 0 ({Describe(outcomes)}; {Describe(operators)}), so nothing would be learned");
        }
        bool uniform = weighed.SelectMany(e => e.Weights).Where(w => w > 0).Distinct().Count() == 1;
        var missing = operatorWeights.Keys.Where(name => name != WeightTable.Others && !operators.ContainsKey(name)).ToList();
        return new Demonstrations
        {
            Kind = demonstrations.Kind,
            Robot = demonstrations.Robot,
            ControlRateHz = demonstrations.ControlRateHz,
            ObservationNames = demonstrations.ObservationNames,
            ActionNames = demonstrations.ActionNames,
            DiscreteActionNames = demonstrations.DiscreteActionNames,
            Episodes = [.. weighed.Select(e => Keep(e.Episode, e.Weights, uniform)).OfType<DemoEpisode>()],
            SkippedNonFinite = demonstrations.SkippedNonFinite,
            FirstNonFinite = demonstrations.FirstNonFinite,
            SkippedNonExpert = demonstrations.SkippedNonExpert,
            SkippedEpisodesByOutcome = demonstrations.SkippedEpisodesByOutcome,
            Warnings = [.. demonstrations.Warnings, .. missing.Select(name => $"{OperatorOption} names {name}, who drove no expert step in these logs")],
            Composition = new DataComposition(
                [.. OutcomeNames.All.Where(outcomes.ContainsKey).Select(name => outcomes[name].Group(name, WeightTable.Of(outcomeWeights, name), total))],
                [.. operators.OrderByDescending(pair => pair.Value.Steps).ThenBy(pair => pair.Key, StringComparer.Ordinal)
                    .Select(pair => pair.Value.Group(pair.Key, WeightTable.Of(operatorWeights, pair.Key), total))],
                leftOut),
        };
    }

    /// <summary>The steps of <paramref name="episode"/> that weigh more than 0, with their weights (none when all weigh the same); null when none does.</summary>
    private static DemoEpisode? Keep(DemoEpisode episode, float[] weights, bool uniform)
    {
        var kept = Enumerable.Range(0, episode.Steps).Where(step => weights[step] > 0).ToArray();
        if (kept.Length == 0)
        {
            return null;
        }
        if (kept.Length == episode.Steps)
        {
            return episode with { Weights = uniform ? [] : weights };
        }
        int obs = episode.Observations.Length / episode.Steps;
        int act = episode.Actions.Length / episode.Steps;
        return new DemoEpisode(episode.Source, episode.Id, kept.Length,
            Rows(episode.Observations, obs, kept), Rows(episode.Actions, act, kept), episode.Labels.Length == 0 ? [] : [.. kept.Select(step => episode.Labels[step])])
        {
            Outcome = episode.Outcome,
            Split = episode.Split,
            Operators = episode.Operators.Length == 0 ? [] : [.. kept.Select(step => episode.Operators[step])],
            Weights = uniform ? [] : [.. kept.Select(step => weights[step])],
        };
    }

    private static float[] Rows(float[] values, int width, int[] rows)
    {
        var result = new float[rows.Length * width];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(values, rows[i] * width, result, i * width, width);
        }
        return result;
    }

    private static void Count(Dictionary<string, Tally> tallies, string name, DemoEpisode episode, float weight)
    {
        if (!tallies.TryGetValue(name, out var tally))
        {
            tallies[name] = tally = new Tally();
        }
        tally.Add(episode, weight);
    }

    private static string Describe(Dictionary<string, Tally> tallies) =>
        string.Join(", ", tallies.Select(pair => $"{LogSummary.OperatorName(pair.Key)} {pair.Value.Steps} steps"));

    /// <summary>One group's counts as the steps are weighed.</summary>
    private sealed class Tally
    {
        private DemoEpisode? _lastEpisode;

        public int Episodes { get; private set; }

        public long Steps { get; private set; }

        public double Weighted { get; private set; }

        public void Add(DemoEpisode episode, float weight)
        {
            if (!ReferenceEquals(episode, _lastEpisode))
            {
                (_lastEpisode, Episodes) = (episode, Episodes + 1);
            }
            Steps++;
            Weighted += weight;
        }

        public DataGroup Group(string name, double weight, double total) => new(name, Episodes, Steps, weight, Weighted / total);
    }
}
