using System.Globalization;

namespace Robotics.Trainer.Training;

/// <summary>
/// The values a numeric setting accepts, checked the same way whether it comes from a flag, a resumed run's
/// config or code; the error names the setting, what it got and the range.
/// </summary>
public abstract record SettingRange(string Name)
{
    /// <summary>The accepted values in words, e.g. "a whole number from 1 to 1000000".</summary>
    public abstract string Allowed { get; }

    /// <summary>The one-line error for <paramref name="given"/> (the text typed, or the value).</summary>
    public string Problem(string given) => $"{Name}: got {given}; it must be {Allowed}";

    protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Whole numbers from <paramref name="Min"/> to <paramref name="Max"/>, both included.</summary>
public sealed record WholeRange(string Name, long Min, long Max) : SettingRange(Name)
{
    public override string Allowed => $"a whole number from {Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)}";

    public bool Contains(long value) => value >= Min && value <= Max;

    public long Require(long value) => Contains(value) ? value : throw new ArgumentException(Problem(value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Parses a flag's text; null with <paramref name="problem"/> set when it is not a whole number in range.</summary>
    public long? Parse(string text, out string? problem)
    {
        bool parsed = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value);
        problem = parsed && Contains(value) ? null : Problem($"'{text}'");
        return problem is null ? value : null;
    }
}

/// <summary>
/// Finite numbers between <paramref name="Min"/> and <paramref name="Max"/>, each end included or not: NaN and
/// infinity are never accepted (they pass no comparison a setting would make and poison training).
/// </summary>
public sealed record RealRange(string Name, double Min, double Max, bool MinIncluded = true, bool MaxIncluded = true) : SettingRange(Name)
{
    public override string Allowed => MinIncluded && MaxIncluded
        ? $"a number from {Format(Min)} to {Format(Max)}"
        : $"a number {(MinIncluded ? "at least" : "greater than")} {Format(Min)} and {(MaxIncluded ? "at most" : "less than")} {Format(Max)}";

    public bool Contains(double value) =>
        (MinIncluded ? value >= Min : value > Min) && (MaxIncluded ? value <= Max : value < Max);

    public double Require(double value) => Contains(value) ? value : throw new ArgumentException(Problem(Format(value)));

    /// <summary>Parses a flag's text; null with <paramref name="problem"/> set when it is not a number in range.</summary>
    public double? Parse(string text, out string? problem)
    {
        bool parsed = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value);
        problem = parsed && Contains(value) ? null : Problem($"'{text}'");
        return problem is null ? value : null;
    }
}
