namespace Robotics.Tests.Support;

/// <summary>What an error for bad input must be: one line, naming the input, in the user's terms.</summary>
public static class PlainError
{
    /// <summary>What a user must never be shown: .NET type and parameter names, ONNX Runtime's sources and codes, stack frames.</summary>
    private static readonly string[] Jargon = ["System.", "Parameter '", "Exception", "onnxruntime", ".cc:", ".h:", "   at ", "`1", "ErrorCode", ".NET", "\u001b"];

    /// <summary>The jargon in <paramref name="message"/>, or null when it has none.</summary>
    public static string? JargonIn(string message) => Jargon.FirstOrDefault(j => message.Contains(j, StringComparison.Ordinal));

    /// <summary>
    /// What is wrong with <paramref name="e"/> as the answer to bad input, or null when it is right: an error the
    /// command line reports as one line (not a crash with a stack trace), naming one of <paramref name="inputs"/>, plainly.
    /// </summary>
    public static string? Problem(Exception e, params string[] inputs)
    {
        if (!Robotics.Controller.CommandLine.CliCommand.IsUserError(e))
        {
            return $"unhandled {e.GetType().Name}: {e.Message}";
        }
        if (e.Message.Trim().Contains('\n'))
        {
            return $"more than one line: {e.Message}";
        }
        if (!inputs.Any(input => e.Message.Contains(input, StringComparison.Ordinal)))
        {
            return $"names none of {string.Join(", ", inputs)}: {e.Message}";
        }
        return JargonIn(e.Message) is string jargon ? $"jargon '{jargon}' in: {e.Message}" : null;
    }

    /// <summary>Asserts <paramref name="message"/> is one line that names <paramref name="input"/> and has no jargon.</summary>
    public static void Check(string message, string input, string? context = null)
    {
        string where = context is null ? "" : context + ": ";
        Assert.False(message.Trim().Contains('\n'), $"{where}more than one line: {message}");
        Assert.True(message.Contains(input, StringComparison.Ordinal), $"{where}does not name {input}: {message}");
        Assert.True(JargonIn(message) is null, $"{where}jargon '{JargonIn(message)}' in: {message}");
    }
}
