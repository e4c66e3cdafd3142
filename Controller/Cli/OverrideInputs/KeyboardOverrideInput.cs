namespace Robotics.Controller.Cli.OverrideInputs;

/// <summary>
/// Commands from the terminal's keyboard. For action i (up to six), the keys of "qwerty"[i] and "asdfgh"[i]
/// raise and lower it by a twentieth of its range; space re-centres everything; for a discrete robot the
/// digit keys choose the action; Esc releases the robot.
/// </summary>
internal sealed class KeyboardOverrideInput : IOverrideInput
{
    private const string Raise = "qwerty";
    private const string Lower = "asdfgh";
    private readonly ActionSpace _space;
    private readonly float[] _values;

    public KeyboardOverrideInput(ActionSpace space, TextWriter help)
    {
        if (Console.IsInputRedirected)
        {
            throw new ArgumentException("--source keyboard needs an interactive terminal");
        }
        _space = space;
        _values = [.. Enumerable.Range(0, space.Names.Count).Select(space.Center)];
        for (int i = 0; i < Math.Min(space.Names.Count, Raise.Length); i++)
        {
            help.WriteLine($"  {Raise[i]}/{Lower[i]}: {space.Names[i]} up/down");
        }
        help.WriteLine("  space: centre all; digits: choose a discrete action; Esc: release");
    }

    public string Pressed { get; private set; } = "";

    public bool TryNext(TimeSpan elapsed, Span<float> action)
    {
        while (Console.KeyAvailable)
        {
            var key = Console.ReadKey(intercept: true);
            // Keys without a printable character (arrows, a terminal's own replies) are shown by name, not as a blank.
            Pressed = key.Key == ConsoleKey.Spacebar ? "space" : char.IsControl(key.KeyChar) || key.KeyChar == '\0' ? key.Key.ToString() : key.KeyChar.ToString();
            if (key.Key == ConsoleKey.Escape)
            {
                return false;
            }
            if (key.Key == ConsoleKey.Spacebar)
            {
                for (int i = 0; i < _values.Length; i++)
                {
                    _values[i] = _space.Center(i);
                }
            }
            else if (char.IsAsciiDigit(key.KeyChar) && _values.Length == 1)
            {
                _values[0] = Math.Clamp(key.KeyChar - '0', _space.Min[0], _space.Max[0]);
            }
            else
            {
                Nudge(Raise.IndexOf(char.ToLowerInvariant(key.KeyChar), StringComparison.Ordinal), +1);
                Nudge(Lower.IndexOf(char.ToLowerInvariant(key.KeyChar), StringComparison.Ordinal), -1);
            }
        }
        _values.CopyTo(action);
        return true;
    }

    public void Dispose()
    {
    }

    private void Nudge(int index, int direction)
    {
        if (index >= 0 && index < _values.Length)
        {
            float step = (_space.Max[index] - _space.Min[index]) / 20;
            _values[index] = Math.Clamp(_values[index] + direction * step, _space.Min[index], _space.Max[index]);
        }
    }
}
