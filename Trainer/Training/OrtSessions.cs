using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Onnx;

namespace Robotics.Trainer.Training;

/// <summary>Creates ONNX Runtime sessions on the configured device, with one clear error when it is missing.</summary>
public static class OrtSessions
{
    private const string CudaProvider = "CUDAExecutionProvider";

    public static InferenceSession Create(ModelProto model, TrainingDevice device, int threads)
    {
        // Disposed once the session is made (it keeps its own copy), and alive until then: native code gets only its handle.
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        if (device == TrainingDevice.Cuda)
        {
            RequireCuda();
            try
            {
                options.AppendExecutionProvider_CUDA(0);
            }
            catch (OnnxRuntimeException e)
            {
                throw new NotSupportedException(
                    "--device cuda: the CUDA execution provider is built in but did not start. It needs an NVIDIA GPU and driver with CUDA 13 and cuDNN 9 libraries on the library path.", e);
            }
        }
        return new InferenceSession(model.ToByteArray(), options);
    }

    /// <summary>Fails with how to enable CUDA when this build's ONNX Runtime has no CUDA execution provider.</summary>
    public static void RequireCuda()
    {
        if (!OrtEnv.Instance().GetAvailableProviders().Contains(CudaProvider))
        {
            throw new NotSupportedException(
                "--device cuda: this build's ONNX Runtime has no CUDA execution provider. Rebuild the trainer with " +
                "`dotnet build Trainer -c Release -p:UseCuda=true` (Linux x64 or Windows x64, CUDA 13 and cuDNN 9 installed), or use --device cpu.");
        }
    }
}
