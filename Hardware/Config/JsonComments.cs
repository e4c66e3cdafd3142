using System.Text;

namespace Robotics.Hardware.Config;

/// <summary>
/// Blanks the <c>//</c> and <c>/* */</c> comments of a JSON text before it is parsed. System.Text.Json skips comments
/// only between values, not between a key and its colon (<c>"rate_hz" /* Hz */ : 100</c>), so a config's comments are
/// taken out here instead, wherever they stand outside a string. Each comment character becomes as many spaces as it
/// has UTF-8 bytes, and line breaks stay, so the parser's line and column still point into the file as written.
/// </summary>
public static class JsonComments
{
    /// <exception cref="InvalidDataException">A <c>/*</c> comment is never closed, naming <paramref name="path"/> and where it opens.</exception>
    public static string Blank(string json, string path)
    {
        var text = new StringBuilder(json.Length);
        bool inString = false;
        int line = 1, lineStart = 0;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (c == '\n')
            {
                (line, lineStart) = (line + 1, i + 1);
            }
            if (inString)
            {
                text.Append(c);
                if (c == '\\' && i + 1 < json.Length)
                {
                    text.Append(json[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }
                continue;
            }
            if (c == '"')
            {
                inString = true;
            }
            if (c != '/' || i + 1 >= json.Length || json[i + 1] is not ('/' or '*'))
            {
                text.Append(c);
                continue;
            }
            bool block = json[i + 1] == '*';
            int end = block ? json.IndexOf("*/", i + 2, StringComparison.Ordinal) : json.IndexOf('\n', i);
            if (block && end < 0)
            {
                throw new InvalidDataException($"{path}: a /* comment is never closed with */ (line {line}, column {Encoding.UTF8.GetByteCount(json.AsSpan(lineStart, i - lineStart)) + 1})");
            }
            int stop = block ? end + 2 : end < 0 ? json.Length : end;
            for (int j = i; j < stop; j++)
            {
                if (json[j] == '\n')
                {
                    (line, lineStart) = (line + 1, j + 1);
                    text.Append('\n');
                }
                else if (!char.IsLowSurrogate(json[j]))
                {
                    // A surrogate pair is 4 bytes: its high half stands for all of them.
                    text.Append(' ', char.IsHighSurrogate(json[j]) ? 4 : Encoding.UTF8.GetByteCount(json.AsSpan(j, 1)));
                }
            }
            i = stop - 1;
        }
        return text.ToString();
    }
}
