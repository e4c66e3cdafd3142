using System.Globalization;
using System.CommandLine;
using System.CommandLine.Parsing;
using Robotics.Trainer.Data;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Cli;

/// <summary>
/// Numeric flags checked when the command line is parsed: text that is not a number, or a number outside the
/// setting's range, fails with one line naming the flag and the range, before anything is read or written
/// (rather than System.CommandLine's own error, which names .NET types, or a failure deep in training).
/// </summary>
internal static class RangedOptions
{
    public static Option<int> Int(WholeRange range, string description, int defaultValue) =>
        new(range.Name)
        {
            Description = $"{description} Allowed: {range.Allowed}.",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => (int)(Parse(result, range.Parse) ?? 0),
        };

    public static Option<int?> OptionalInt(WholeRange range, string description) =>
        new(range.Name)
        {
            Description = $"{description} Allowed: {range.Allowed}.",
            CustomParser = result => (int?)Parse(result, range.Parse),
        };

    public static Option<long> Long(WholeRange range, string description, long defaultValue) =>
        new(range.Name)
        {
            Description = $"{description} Allowed: {range.Allowed}.",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Parse(result, range.Parse) ?? 0,
        };

    public static Option<double> Double(RealRange range, string description, double defaultValue) =>
        new(range.Name)
        {
            Description = $"{description} Allowed: {range.Allowed}.",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Parse(result, range.Parse) ?? 0,
        };

    /// <summary>A comma-separated list of whole numbers, each in <paramref name="range"/>, in increasing order (sizes to try, say).</summary>
    public static Option<IReadOnlyList<int>> IntList(WholeRange range, string description, IReadOnlyList<int> defaultValue) =>
        new(range.Name)
        {
            Description = $"{description} Allowed: increasing whole numbers from {range.Min.ToString(CultureInfo.InvariantCulture)} to {range.Max.ToString(CultureInfo.InvariantCulture)}, comma-separated.",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var values = new List<int>();
                foreach (string part in result.Tokens[0].Value.Split(',', StringSplitOptions.TrimEntries))
                {
                    if (range.Parse(part, out string? problem) is not long value)
                    {
                        result.AddError(problem!);
                        return [];
                    }
                    if (values.Count > 0 && value <= values[^1])
                    {
                        result.AddError($"{range.Name}: got {result.Tokens[0].Value}; the numbers must increase");
                        return [];
                    }
                    values.Add((int)value);
                }
                return values;
            },
        };

    /// <summary>--hidden: layer widths such as 256,256 (<see cref="TrainingRanges.ParseHidden"/> reads the text).</summary>
    public static Option<string> Hidden(string description, string defaultValue) =>
        new("--hidden")
        {
            Description = $"{description} Allowed: {TrainingRanges.HiddenAllowed}.",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                string text = result.Tokens[0].Value;
                try
                {
                    TrainingRanges.ParseHidden(text);
                }
                catch (ArgumentException e)
                {
                    result.AddError(e.Message);
                }
                return text;
            },
        };

    /// <summary>--weight-outcome, --weight-operator: NAME=WEIGHT pairs (<see cref="WeightTable.Parse"/>); null when not given.</summary>
    /// <param name="names">The names the option knows; null for any.</param>
    public static Option<IReadOnlyDictionary<string, double>?> Weights(string name, IReadOnlyCollection<string>? names, string description) =>
        new(name)
        {
            Description = description,
            CustomParser = result =>
            {
                try
                {
                    return WeightTable.Parse(name, result.Tokens[0].Value, names);
                }
                catch (ArgumentException e)
                {
                    result.AddError(e.Message);
                    return null;
                }
            },
        };

    private delegate T? Parser<T>(string text, out string? problem) where T : struct;

    private static T? Parse<T>(ArgumentResult result, Parser<T> parse) where T : struct
    {
        var value = parse(result.Tokens[0].Value, out string? problem);
        if (problem is not null)
        {
            result.AddError(problem);
        }
        return value;
    }
}
