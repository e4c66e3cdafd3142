using System.CommandLine;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Controller.CommandLine;

namespace Robotics.Trainer.Cli;

/// <summary><c>trainer inspect</c>: what a policy file holds, from its own bytes.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("policy") { Description = "An exported policy (.onnx)." };
        var json = CliCommand.JsonOption();
        var command = new Command("inspect", "Print a policy file's inputs, outputs, versions and metadata (kind, names, limits, rate, normalization, help threshold, dataset, validation metrics).") { file, json };
        command.SetAction(parse => CliCommand.Run(parse, json, console =>
        {
            string path = parse.GetValue(file)!;
            var model = Read(path);
            var inputs = model.Graph.Input.Select(Describe).ToList();
            var outputs = model.Graph.Output.Select(Describe).ToList();
            long opset = model.OpsetImport.FirstOrDefault(o => o.Domain.Length == 0)?.Version ?? 0;
            console.Line($"{path}: ONNX IR {model.IrVersion}, opset {opset}, written by {model.ProducerName} {model.ProducerVersion}");
            console.Line("  inputs   " + string.Join("; ", inputs.Select(i => $"{i.Name} {i.Type}[{string.Join(", ", i.Shape)}]")));
            console.Line("  outputs  " + string.Join("; ", outputs.Select(o => $"{o.Name} {o.Type}[{string.Join(", ", o.Shape)}]")));
            var integrity = PolicyDigest.Check(model);
            console.Line("  content  " + Describe(integrity));
            foreach (var entry in model.MetadataProps)
            {
                console.Line($"  {entry.Key} = {entry.Value}");
            }
            console.Summary(new JsonObject
            {
                ["path"] = path,
                ["ir_version"] = model.IrVersion,
                ["opset"] = opset,
                ["producer"] = $"{model.ProducerName} {model.ProducerVersion}",
                ["inputs"] = new JsonArray([.. inputs.Select(ToJson)]),
                ["outputs"] = new JsonArray([.. outputs.Select(ToJson)]),
                ["integrity"] = integrity switch
                {
                    PolicyIntegrity.Verified => "verified",
                    PolicyIntegrity.NotStamped => "not_stamped",
                    _ => "mismatch",
                },
                ["metadata"] = new JsonObject([.. model.MetadataProps.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))]),
            });
            return 0;
        }));
        return command;
    }

    private static ModelProto Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such policy file", path);
        }
        try
        {
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            return model.Graph is null ? throw new InvalidDataException($"{path}: not an ONNX model (no graph)") : model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not an ONNX model ({e.Message})", e);
        }
    }

    // Inspect reads a damaged file rather than refusing it: it is where a user looks to find out what is wrong.
    private static string Describe(PolicyIntegrity integrity) => integrity switch
    {
        PolicyIntegrity.Verified => "matches the digest stamped at export",
        PolicyIntegrity.NotStamped => "no digest stamped (exported before digests or by another tool): damage cannot be detected",
        _ => "DAMAGED: differs from the digest stamped at export; the controller refuses to run it",
    };

    private sealed record ValueDescription(string Name, string Type, string[] Shape);

    private static ValueDescription Describe(ValueInfoProto value)
    {
        var tensor = value.Type?.TensorType;
        string type = tensor is null ? "?" : ((TensorProto.Types.DataType)tensor.ElemType).ToString().ToLowerInvariant();
        string[] shape = tensor?.Shape is null ? [] : [.. tensor.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        return new ValueDescription(value.Name, type, shape);
    }

    private static JsonObject ToJson(ValueDescription value) => new()
    {
        ["name"] = value.Name,
        ["type"] = value.Type,
        ["shape"] = new JsonArray([.. value.Shape.Select(s => (JsonNode)s)]),
    };
}
