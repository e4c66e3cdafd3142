using Microsoft.ML.OnnxRuntime;

namespace Robotics.Tests.Support;

/// <summary>One ONNX Runtime run with run options that live until it returns.</summary>
public static class OrtRuns
{
    /// <summary>
    /// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
    /// hands native code the options' raw handle, so options made inline in the call are garbage the moment it starts:
    /// a collection during the run finalizes them, and the run reads freed memory (seen: ONNX Runtime segfaulting in
    /// Run, in a suite whose other tests allocated heavily). Here they are disposed only after the run.
    /// </summary>
    public static IDisposableReadOnlyCollection<OrtValue> RunOnce(this InferenceSession session, IReadOnlyCollection<string> inputNames,
        IReadOnlyCollection<OrtValue> inputs, IReadOnlyCollection<string> outputNames)
    {
        using var options = new RunOptions();
        return session.Run(options, inputNames, inputs, outputNames);
    }
}
