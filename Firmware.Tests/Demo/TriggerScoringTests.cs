using Robotics.Trainer.Studies;

namespace Robotics.Tests.Demo;

/// <summary>The help-trigger study's arithmetic on episodes small enough to count by hand.</summary>
public sealed class TriggerScoringTests
{
    private const string Trigger = "measure";

    private static TriggerEpisode Episode(int ticks, int[] overTicks, params Trouble[] troubles)
    {
        var measure = new float[ticks];
        foreach (int tick in overTicks)
        {
            measure[tick] = 5;
        }
        return new TriggerEpisode(new Dictionary<string, float[]> { [Trigger] = measure }, troubles, troubles.Length, Succeeded: false);
    }

    // Over the threshold on ticks 3–7: the controller's fifth tick in a row, 7, raises the request, 3 ticks before the gate steps in at 10.
    private static readonly TriggerEpisode InTime = Episode(20, [3, 4, 5, 6, 7], new Trouble(10, 15));

    // A request raised on tick 4, far before the gate steps in at 12; then a run of 4 ticks (14–17), one short of a request.
    private static readonly TriggerEpisode TooEarly = Episode(20, [0, 1, 2, 3, 4, 14, 15, 16, 17], new Trouble(12, 20));

    [Fact]
    public void A_request_is_raised_on_the_fifth_unsure_tick_and_judged_against_where_the_gate_steps_in()
    {
        var score = TriggerScoring.Score([InTime, TooEarly], Trigger, threshold: 1, leadTicks: 3);

        Assert.Equal(2, score.Requests);
        Assert.Equal(1, score.UsefulRequests);
        Assert.Equal(2, score.Moments);
        Assert.Equal(1, score.CaughtMoments);
        Assert.Equal(0.5, score.Precision);
        Assert.Equal(0.5, score.Recall);
        Assert.Equal(14.0 / 40, score.TickShare);
    }

    [Fact]
    public void A_shorter_lead_leaves_the_same_request_too_early_and_a_request_while_the_gate_drives_is_useful_but_late()
    {
        Assert.Equal(0, TriggerScoring.Score([InTime], Trigger, threshold: 1, leadTicks: 2).CaughtMoments);
        var late = Episode(20, [12, 13, 14, 15, 16], new Trouble(10, 18));

        var score = TriggerScoring.Score([late], Trigger, threshold: 1, leadTicks: 3);

        Assert.Equal((1, 1, 0), (score.Requests, score.UsefulRequests, score.CaughtMoments));
    }

    [Fact]
    public void With_nothing_asked_or_no_failure_precision_and_recall_are_undefined_not_zero()
    {
        var quiet = TriggerScoring.Score([TooEarly], Trigger, threshold: 10, leadTicks: 3);
        var noFailure = TriggerScoring.Score([Episode(20, [0, 1, 2, 3, 4])], Trigger, threshold: 1, leadTicks: 3);

        Assert.True(double.IsNaN(quiet.Precision));
        Assert.True(double.IsNaN(noFailure.Recall));
        Assert.Equal(0, noFailure.Precision);
    }

    [Fact]
    public void The_threshold_for_a_share_is_exceeded_on_that_share_of_ticks_and_a_random_request_is_useful_on_the_ticks_near_trouble()
    {
        var measure = Enumerable.Range(1, 100).Select(v => (float)v).ToArray();
        var episode = new TriggerEpisode(new Dictionary<string, float[]> { [Trigger] = measure }, [], 0, Succeeded: true);

        double threshold = TriggerScoring.ThresholdForShare([episode], Trigger, 0.1);

        Assert.Equal(90, threshold);
        Assert.Equal(0.1, TriggerScoring.Score([episode], Trigger, threshold, leadTicks: 3).TickShare);
        // Ticks 7–14 of the first episode and 9–19 of the second lie within 3 ticks before a gate moment or in its stretch.
        Assert.Equal(19.0 / 40, TriggerScoring.UsefulTickShare([InTime, TooEarly], leadTicks: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => TriggerScoring.ThresholdForShare([episode], Trigger, 1));
    }
}
