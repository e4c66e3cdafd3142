namespace Robotics.Emulators;

/// <summary>
/// The lowest and highest finite value each entry of a stream of commands reached, and how many values were not finite:
/// what an emulated or watched device keeps so a test can say that nothing outside the limits ever reached it.
/// </summary>
public sealed class ValueExtremes(int entries)
{
    private readonly float[] _lowest = [.. Enumerable.Repeat(float.PositiveInfinity, entries)];
    private readonly float[] _highest = [.. Enumerable.Repeat(float.NegativeInfinity, entries)];
    private int _nonFinite;

    /// <summary>Takes one command's values into account.</summary>
    public void Record(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                _nonFinite++;
                continue;
            }
            _lowest[i] = Math.Min(_lowest[i], values[i]);
            _highest[i] = Math.Max(_highest[i], values[i]);
        }
    }

    /// <summary>A copy of each entry's extremes (lowest above highest: never sent) and the count of values that were not finite.</summary>
    public (float[] Lowest, float[] Highest, int NonFinite) Snapshot() => (_lowest.ToArray(), _highest.ToArray(), _nonFinite);
}
