using Microsoft.ML.OnnxRuntime;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Training;

public sealed class OnnxRuntimeFailureTests
{
    [Fact]
    public void A_failure_inside_ONNX_Runtime_is_one_line_without_its_source_paths()
    {
        // A tensor larger than memory: the allocation ONNX Runtime refuses when --hidden had no ceiling.
        var failure = Assert.Throws<OnnxRuntimeException>(() =>
            OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [200_000_000, 200_000_000, 200_000_000]));
        Assert.Contains("onnxruntime", failure.Message);

        string line = OnnxRuntimeFailure.Describe(failure, "training the policy");

        Assert.StartsWith("ONNX Runtime failed while training the policy (error kind: ", line);
        Assert.DoesNotContain("/", line);
        Assert.DoesNotContain("::", line);
        Assert.DoesNotContain(".cc", line);
        Assert.DoesNotContain("\n", line);
    }
}
