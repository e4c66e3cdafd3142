using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace Robotics.Trainer.Training;

/// <summary>
/// One line for a failure inside ONNX Runtime. Its own messages carry C++ source paths, function signatures
/// and tensor internals that tell a user nothing; what they can act on is what was being done, the error's
/// kind and, when memory ran out, which flags make the model smaller.
/// </summary>
public static partial class OnnxRuntimeFailure
{
    public static string Describe(OnnxRuntimeException failure, string during)
    {
        var code = ErrorCode().Match(failure.Message);
        string kind = code.Success ? code.Groups[1].Value : "unknown";
        bool memory = OutOfMemory().IsMatch(failure.Message);
        return $"ONNX Runtime failed while {during} (error kind: {kind})" +
            (memory ? "; it ran out of memory: use a smaller --hidden or --batch" : "; the model or the data is not one it can run");
    }

    [GeneratedRegex(@"\[ErrorCode:(\w+)\]")]
    private static partial Regex ErrorCode();

    [GeneratedRegex("allocat|out of memory|bad_alloc", RegexOptions.IgnoreCase)]
    private static partial Regex OutOfMemory();
}
