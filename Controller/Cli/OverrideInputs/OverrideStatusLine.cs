using System.Globalization;
using System.Text;

namespace Robotics.Controller.Cli.OverrideInputs;

/// <summary>
/// The operator's live view while driving: the last key pressed, the command being sent and what the robot made of
/// it, on one line rewritten in place. Only on a terminal: redirected to a file or a pipe it writes nothing (ten
/// lines a second would bury the summary), and the summary at the end has the counts.
/// </summary>
internal sealed class OverrideStatusLine(TextWriter terminal, ActionSpace space)
{
    // A person reads at most a few updates a second; the command rate may be up to 1 kHz.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private TimeSpan _drawn = -Interval;
    private bool _shown;

    /// <summary>The live line on stdout when it is a terminal (and not --json), else null.</summary>
    public static OverrideStatusLine? ForConsole(ActionSpace space, bool json) =>
        json || Console.IsOutputRedirected ? null : new OverrideStatusLine(Console.Out, space);

    /// <summary>Redraws the line if the last drawing is at least a tenth of a second old.</summary>
    public void Update(TimeSpan elapsed, string? pressed, ReadOnlySpan<float> action, long applied, long rejected, string reply)
    {
        if (elapsed - _drawn < Interval)
        {
            return;
        }
        _drawn = elapsed;
        _shown = true;
        // \r returns to the line's start, ESC[K clears what a longer earlier line left.
        terminal.Write("\r" + Format(space, pressed, action, applied, rejected, reply) + "\u001b[K");
        terminal.Flush();
    }

    /// <summary>Ends the line, so what is printed next starts on its own.</summary>
    public void Finish()
    {
        if (_shown)
        {
            terminal.WriteLine();
        }
    }

    /// <summary>"key q · sending shoulder_torque +0.50, elbow_torque -0.25 · applied 120, rejected 0 · applied" (no key for a source without keys).</summary>
    public static string Format(ActionSpace space, string? pressed, ReadOnlySpan<float> action, long applied, long rejected, string reply)
    {
        var line = new StringBuilder();
        if (pressed is not null)
        {
            line.Append("key ").Append(pressed.Length == 0 ? "-" : pressed).Append(" · ");
        }
        line.Append("sending ");
        for (int i = 0; i < action.Length; i++)
        {
            line.Append(i == 0 ? "" : ", ").Append(space.Names[i]).Append(' ')
                .Append(action[i].ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture));
        }
        line.Append(CultureInfo.InvariantCulture, $" · applied {applied}, rejected {rejected} · {(reply.Length == 0 ? "no answer yet" : reply)}");
        return line.ToString();
    }
}
