using Robotics.Controller.Loop;

namespace Robotics.Trainer.Studies;

/// <summary>A stretch of an episode the expert's gate would have driven: from the tick it steps in to the tick it hands back (exclusive) or the episode ends.</summary>
public readonly record struct Trouble(int Start, int End);

/// <summary>One evaluation episode as the help-trigger study judges it: each trigger's measure on every tick, and where the gate would have stepped in before a failure.</summary>
/// <param name="Measures">Per trigger's name, its measure on each tick (all of the same length).</param>
/// <param name="Troubles">Where the gate would have stepped in, if the episode failed; none if it succeeded.</param>
/// <param name="GateMoments">Times the gate would have stepped in, whether or not the episode failed.</param>
public sealed record TriggerEpisode(IReadOnlyDictionary<string, float[]> Measures, IReadOnlyList<Trouble> Troubles, int GateMoments, bool Succeeded);

/// <summary>How one trigger at one threshold did over a set of episodes.</summary>
/// <param name="Requests">Help requests raised: runs of ticks over the threshold that reached the controller's length (<see cref="HelpOptions.ConsecutiveTicks"/>).</param>
/// <param name="UsefulRequests">Requests raised from <c>lead</c> ticks before the gate stepped in until it would have handed back.</param>
/// <param name="Moments">Times the gate would have stepped in before a failure.</param>
/// <param name="CaughtMoments">Of those, the ones a request was raised for in time: within <c>lead</c> ticks before, or on the tick itself.</param>
/// <param name="TickShare">The share of ticks whose measure was over the threshold.</param>
public sealed record TriggerScore(double Threshold, int Requests, int UsefulRequests, int Moments, int CaughtMoments, double TickShare)
{
    /// <summary>The share of requests worth an operator's attention; NaN when nothing was asked.</summary>
    public double Precision => Requests == 0 ? double.NaN : (double)UsefulRequests / Requests;

    /// <summary>The share of the gate's moments a request came in time for; NaN when the gate never stepped in.</summary>
    public double Recall => Moments == 0 ? double.NaN : (double)CaughtMoments / Moments;
}

/// <summary>
/// Scores a help trigger against the expert's gate (docs/learning.md#are-help-requests-worth-an-operators-attention): a
/// request is raised as the controller raises one, on the <see cref="HelpOptions.ConsecutiveTicks"/>-th tick in a row over
/// the threshold, and is judged by whether the gate would step in soon after, or already had.
/// </summary>
public static class TriggerScoring
{
    private static readonly int RequestRun = new HelpOptions().ConsecutiveTicks;

    public static TriggerScore Score(IReadOnlyList<TriggerEpisode> episodes, string trigger, double threshold, int leadTicks)
    {
        int requests = 0, useful = 0, moments = 0, caught = 0;
        long over = 0, ticks = 0;
        var raised = new List<int>();
        foreach (var episode in episodes)
        {
            var measure = episode.Measures[trigger];
            raised.Clear();
            int run = 0;
            for (int tick = 0; tick < measure.Length; tick++)
            {
                bool unsure = measure[tick] > threshold;
                over += unsure ? 1 : 0;
                run = unsure ? run + 1 : 0;
                if (run == RequestRun)
                {
                    raised.Add(tick);
                }
            }
            ticks += measure.Length;
            requests += raised.Count;
            useful += raised.Count(r => Useful(episode, r, leadTicks));
            moments += episode.Troubles.Count;
            caught += episode.Troubles.Count(t => raised.Any(r => t.Start - leadTicks <= r && r <= t.Start));
        }
        return new TriggerScore(threshold, requests, useful, moments, caught, ticks == 0 ? 0 : (double)over / ticks);
    }

    /// <summary>
    /// The share of ticks a request raised on would be useful: the precision of a trigger that fires at random, which a
    /// trigger must beat to be worth more than a coin.
    /// </summary>
    public static double UsefulTickShare(IReadOnlyList<TriggerEpisode> episodes, int leadTicks)
    {
        long useful = 0, ticks = 0;
        foreach (var episode in episodes)
        {
            int length = episode.Measures.Values.First().Length;
            ticks += length;
            useful += Enumerable.Range(0, length).Count(r => Useful(episode, r, leadTicks));
        }
        return ticks == 0 ? 0 : (double)useful / ticks;
    }

    /// <summary>A request raised on <paramref name="tick"/> is useful: the gate steps in before a failure at most <paramref name="leadTicks"/> later, or is driving.</summary>
    private static bool Useful(TriggerEpisode episode, int tick, int leadTicks) =>
        episode.Troubles.Any(t => t.Start - leadTicks <= tick && tick < t.End);

    /// <summary>The threshold that <paramref name="trigger"/>'s measure lies over on <paramref name="share"/> of all the episodes' ticks.</summary>
    public static double ThresholdForShare(IReadOnlyList<TriggerEpisode> episodes, string trigger, double share)
    {
        if (share is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "a share of ticks between 0 and 1");
        }
        var values = episodes.SelectMany(e => e.Measures[trigger]).Order().ToArray();
        if (values.Length == 0)
        {
            throw new ArgumentException($"no ticks to set the {trigger} threshold from", nameof(episodes));
        }
        // The value at the (1 − share) quantile: the measure is over it on at most that share of ticks (ties stay under).
        int index = Math.Clamp((int)Math.Ceiling((1 - share) * values.Length) - 1, 0, values.Length - 1);
        return values[index];
    }
}
