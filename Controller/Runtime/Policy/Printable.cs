using System.Text;

namespace Robotics.Controller.Policy;

/// <summary>Text from a damaged file made fit for one error line: what does not print becomes '?', runs of spaces and line breaks one space.</summary>
public static class Printable
{
    /// <param name="max">The most characters kept; longer text ends in "…".</param>
    public static string Line(string text, int max = int.MaxValue)
    {
        var line = new StringBuilder(Math.Min(text.Length, max));
        foreach (char c in text)
        {
            if (line.Length >= max)
            {
                line.Append('…');
                break;
            }
            if (char.IsWhiteSpace(c))
            {
                if (line.Length > 0 && line[^1] != ' ')
                {
                    line.Append(' ');
                }
                continue;
            }
            // A flipped bit makes bytes that do not print (or that a terminal acts on).
            line.Append(char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' ? '?' : c);
        }
        return line.ToString().Trim();
    }
}
