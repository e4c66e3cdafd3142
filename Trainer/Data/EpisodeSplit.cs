namespace Robotics.Trainer.Data;

/// <summary>
/// Which episodes are held out: all of them in (source, id) order, shuffled by the seed, the first
/// round(n × fraction) for validation and the rest for training. In-memory and streamed training split alike.
/// </summary>
public static class EpisodeSplit
{
    public static (T[] Validation, T[] Train) Choose<T>(IEnumerable<T> episodes, Func<T, string> source, Func<T, ulong> id, double validationFraction, int seed)
    {
        if (validationFraction is <= 0 or >= 1)
        {
            throw new InvalidDataException($"the validation fraction must be between 0 and 1, got {validationFraction}");
        }
        var order = Shuffled(episodes, source, id, seed);
        int validationEpisodes = (int)Math.Round(order.Length * validationFraction);
        if (validationEpisodes == 0 || validationEpisodes == order.Length)
        {
            throw new InvalidDataException($"{order.Length} episode(s) with expert steps cannot be split into training and validation " +
                $"(validation fraction {validationFraction}): both need at least one whole episode; record more episodes");
        }
        return (order[..validationEpisodes], order[validationEpisodes..]);
    }

    /// <summary>The episodes in (source, id) order, shuffled by <paramref name="seed"/>: the order the split takes them in.</summary>
    public static T[] Shuffled<T>(IEnumerable<T> episodes, Func<T, string> source, Func<T, ulong> id, int seed)
    {
        var order = episodes.OrderBy(source, StringComparer.Ordinal).ThenBy(id).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }
}
