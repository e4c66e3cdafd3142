using Robotics.Tests.Support;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Robotics.Protos.Onnx;

namespace Robotics.Tests.Support;

/// <summary>Runs a model built by the trainer's graph code in a real ONNX Runtime session.</summary>
public sealed class GraphRunner : IDisposable
{
    private readonly InferenceSession _session;

    public GraphRunner(ModelProto model) => _session = new InferenceSession(model.ToByteArray());

    public Dictionary<string, double[]> Run(IReadOnlyDictionary<string, (Array Data, long[] Shape)> inputs, params string[] outputs)
    {
        var values = inputs.Select(pair => pair.Value.Data switch
        {
            double[] d => OrtValue.CreateTensorValueFromMemory(d, pair.Value.Shape),
            float[] f => OrtValue.CreateTensorValueFromMemory(f, pair.Value.Shape),
            long[] l => OrtValue.CreateTensorValueFromMemory(l, pair.Value.Shape),
            _ => throw new ArgumentException("unsupported input type"),
        }).ToList();
        try
        {
            using var results = _session.RunOnce([.. inputs.Keys], values, outputs);
            var answer = new Dictionary<string, double[]>();
            for (int i = 0; i < outputs.Length; i++)
            {
                answer[outputs[i]] = results[i].GetTensorTypeAndShape().ElementDataType == TensorElementType.Double
                    ? results[i].GetTensorDataAsSpan<double>().ToArray()
                    : [.. results[i].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v)];
            }
            return answer;
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    public void Dispose() => _session.Dispose();
}
