using System.Globalization;

namespace Robotics.Trainer.Data;

/// <summary>
/// The sampling weights one option gives (<c>--weight-outcome success=1,failure=0.2</c>, <c>--weight-operator
/// alice=1,bob=0.3,*=0</c>): a weight per name, <c>*</c> for every name not listed, 1 for a name not listed when
/// <c>*</c> is not given either. A weight is a number from 0 (left out) to <see cref="MaxWeight"/>. Checked the same
/// way from the command line and from a resumed run's config: one line naming the option and what is wrong.
/// </summary>
public static class WeightTable
{
    /// <summary>The name that stands for every name the table does not list.</summary>
    public const string Others = "*";

    /// <summary>Only ratios matter; the ceiling keeps an outcome's weight times an operator's a finite float.</summary>
    public const double MaxWeight = 1e6;

    /// <summary>The weight of <paramref name="name"/>.</summary>
    public static double Of(IReadOnlyDictionary<string, double> weights, string name) =>
        weights.TryGetValue(name, out double weight) || weights.TryGetValue(Others, out weight) ? weight : 1;

    /// <summary>The table as the option takes it, e.g. <c>success=1,failure=0.2</c>; empty for none.</summary>
    public static string Format(IReadOnlyDictionary<string, double> weights) =>
        string.Join(',', weights.Select(pair => $"{pair.Key}={pair.Value.ToString("R", CultureInfo.InvariantCulture)}"));

    /// <summary>Reads <paramref name="text"/> as <paramref name="option"/> takes it, and checks it as <see cref="Validate"/> does.</summary>
    /// <param name="names">The names the option knows (null: any name, as operators' are).</param>
    /// <exception cref="ArgumentException">Malformed, or not a valid table; the message names the option and the text.</exception>
    public static IReadOnlyDictionary<string, double> Parse(string option, string text, IReadOnlyCollection<string>? names)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string pair in text.Split(','))
        {
            int equals = pair.IndexOf('=');
            string name = equals < 0 ? "" : pair[..equals].Trim();
            if (name.Length == 0)
            {
                throw new ArgumentException($"{option}: got '{text}'; '{pair}' is not NAME=WEIGHT: give comma-separated pairs such as {Example(names)}");
            }
            string value = pair[(equals + 1)..].Trim();
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || !IsWeight(weight))
            {
                throw new ArgumentException($"{option}: got '{text}'; the weight of {name} is '{value}'; it must be a number from 0 to {MaxWeight.ToString("R", CultureInfo.InvariantCulture)}");
            }
            if (!weights.TryAdd(name, weight))
            {
                throw new ArgumentException($"{option}: got '{text}'; {name} is given twice");
            }
        }
        Validate(option, weights, names, text);
        return weights;
    }

    /// <summary>Fails with one line when a name is unknown, a weight is out of range, or every weight is 0.</summary>
    /// <param name="given">The text as typed, for the message; by default the table written out.</param>
    public static void Validate(string option, IReadOnlyDictionary<string, double> weights, IReadOnlyCollection<string>? names, string? given = null)
    {
        given ??= Format(weights);
        foreach (var (name, weight) in weights)
        {
            if (name != Others && names is not null && !names.Contains(name))
            {
                throw new ArgumentException($"{option}: got '{given}'; {name} is not one of {string.Join(", ", names)} or {Others} (every other)");
            }
            if (name.Trim().Length == 0 || !IsWeight(weight))
            {
                throw new ArgumentException($"{option}: got '{given}'; each pair must name something and weigh a number from 0 to {MaxWeight.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }
        bool everyNameListed = names is not null && names.All(weights.ContainsKey);
        if (weights.Count > 0 && weights.Values.All(w => w == 0) && (weights.ContainsKey(Others) || everyNameListed))
        {
            throw new ArgumentException($"{option}: got '{given}'; every weight is 0, so nothing would be learned");
        }
    }

    private static bool IsWeight(double weight) => weight is >= 0 and <= MaxWeight;

    private static string Example(IReadOnlyCollection<string>? names) =>
        names is null ? "alice=1,bob=0.3" : $"{names.First()}=1,{names.Skip(1).First()}=0.2";
}
