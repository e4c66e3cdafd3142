using Robotics.Protos.Onnx;

namespace Robotics.Trainer.Onnx;

/// <summary>Wraps graphs into model files with the versions the controller's targets load.</summary>
public static class OnnxModel
{
    /// <summary>
    /// Operator set 17 and IR version 8: the newest pair TensorRT 8.6 (JetPack 5/6) and ONNX Runtime 1.14+
    /// load (onnx/docs/Versioning.md: IR 8 ships with opset 17).
    /// </summary>
    public const long OpsetVersion = 17;

    /// <inheritdoc cref="OpsetVersion"/>
    public const long IrVersion = 8;

    public static ModelProto Create(GraphProto graph, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "robotics-trainer",
            ProducerVersion = typeof(OnnxModel).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in metadata ?? [])
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return model;
    }
}
