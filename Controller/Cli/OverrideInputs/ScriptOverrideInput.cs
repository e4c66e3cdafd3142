using System.Globalization;

namespace Robotics.Controller.Cli.OverrideInputs;

/// <summary>
/// Commands from a text file: one line per step, "seconds value value ...", the values held from that time
/// until the next line's; blank lines and lines starting with # are ignored. The script ends after its last
/// line's time plus one step.
/// </summary>
internal sealed class ScriptOverrideInput : IOverrideInput
{
    private readonly List<(double Time, float[] Action)> _steps = [];
    private readonly double _end;

    public ScriptOverrideInput(string path, int actions)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            string text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }
            var fields = text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != actions + 1 || !fields.All(f => double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                throw new FormatException($"{path}:{number}: expected \"seconds\" then {actions} numbers, got \"{text}\"");
            }
            var values = fields.Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            if (_steps.Count > 0 && values[0] < _steps[^1].Time)
            {
                throw new FormatException($"{path}:{number}: times must not go backwards");
            }
            _steps.Add((values[0], [.. values.Skip(1).Select(v => (float)v)]));
        }
        if (_steps.Count == 0)
        {
            throw new FormatException($"{path}: no commands");
        }
        double step = _steps.Count > 1 ? _steps[^1].Time - _steps[^2].Time : 0.1;
        _end = _steps[^1].Time + step;
    }

    public bool TryNext(TimeSpan elapsed, Span<float> action)
    {
        double now = elapsed.TotalSeconds;
        if (now >= _end)
        {
            return false;
        }
        var current = _steps[0].Action;
        foreach (var (time, values) in _steps)
        {
            if (time > now)
            {
                break;
            }
            current = values;
        }
        current.CopyTo(action);
        return true;
    }

    public void Dispose()
    {
    }
}
