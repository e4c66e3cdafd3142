using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Policy;

namespace Robotics.Controller.Policy;

/// <summary>
/// ONNX Runtime's errors in a user's terms: one line, without its error-code tag, the "Load model from X failed:"
/// preamble, the C++ source file and function it was raised in, or the bytes of a damaged name that do not print.
/// </summary>
public static partial class OnnxErrors
{
    /// <summary>Why ONNX Runtime would not load the model at <paramref name="path"/>, as the end of "{path}: ...".</summary>
    public static InvalidDataException LoadFailed(string path, OnnxRuntimeException e) =>
        Code(e.Message) == "InvalidProtobuf"
            ? PolicyDigest.Unparsable(path, e)
            : new($"{path}: not a policy ONNX Runtime can load: {Reason(e.Message)}", e);

    /// <summary>Why ONNX Runtime could not run the model at <paramref name="path"/>.</summary>
    public static InvalidDataException RunFailed(string path, OnnxRuntimeException e) =>
        new($"{path}: ONNX Runtime could not run the policy: {Reason(e.Message)}", e);

    private static string? Code(string message) => CodeTag().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The human part of an ONNX Runtime message, on one line.</summary>
    public static string Reason(string message)
    {
        string text = CodeTag().Replace(message, "", 1);
        text = LoadPreamble().Replace(text, "", 1);
        text = WithoutSourceLocation(text);
        text = text.Replace("Please fix either the inputs/outputs or the model.", "", StringComparison.Ordinal);
        return Printable.Line(text).TrimEnd('.');
    }

    /// <summary>
    /// Drops "/onnxruntime_src/.../graph.cc:1441 onnxruntime::Graph::Graph(...) " and "tensorprotoutils.cc:1534 Validate... ":
    /// the file and line, then the function, a full C++ signature or a bare name.
    /// </summary>
    private static string WithoutSourceLocation(string text)
    {
        var location = SourceLocation().Match(text);
        if (!location.Success)
        {
            return text;
        }
        int at = location.Index + location.Length;
        int open = text.IndexOf('(', at);
        if (open > 0 && Signature().IsMatch(text[at..open]))
        {
            int depth = 0, i = open;
            for (; i < text.Length; i++)
            {
                depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
                if (depth == 0)
                {
                    break;
                }
            }
            string rest = text[Math.Min(i + 1, text.Length)..].TrimStart();
            rest = rest.StartsWith("const ", StringComparison.Ordinal) ? rest[6..] : rest;
            return text[..location.Index] + rest;
        }
        var name = FunctionName().Match(text, at);
        return text[..location.Index] + (name.Success && name.Index == at ? text[(at + name.Length)..] : text[at..]);
    }

    [GeneratedRegex(@"^\s*\[ErrorCode:(\w+)\]\s*")]
    private static partial Regex CodeTag();

    [GeneratedRegex(@"Load model from .*? failed:\s*", RegexOptions.Singleline)]
    private static partial Regex LoadPreamble();

    [GeneratedRegex(@"(?:\S*/)?[\w.+-]+\.(?:cc|cpp|c|h|hpp):\d+\s+")]
    private static partial Regex SourceLocation();

    /// <summary>What precedes a C++ signature's parameter list: return type and qualified name, e.g. "void onnxruntime::a::F".</summary>
    [GeneratedRegex(@"^[\w:<>,*&~ ]*::[\w~]+$")]
    private static partial Regex Signature();

    [GeneratedRegex(@"[A-Za-z_]\w*\s+")]
    private static partial Regex FunctionName();

}
