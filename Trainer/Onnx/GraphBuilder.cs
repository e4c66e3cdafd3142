using System.Runtime.InteropServices;
using Google.Protobuf;
using Robotics.Protos.Onnx;

namespace Robotics.Trainer.Onnx;

/// <summary>
/// Builds an ONNX graph node by node with readable calls (<c>var h = g.Gemm(x, w, b)</c>): each call adds a
/// node and returns the name of its output, so graph code reads like the math it implements. Every value
/// has one element type (float for training and export, double for exact gradient checks), and constants
/// are created in it.
/// </summary>
public sealed partial class GraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public GraphBuilder(string name, TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        if (elementType is not (TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double))
        {
            throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "graphs compute in float or double");
        }
        _graph = new GraphProto { Name = name };
        ElementType = elementType;
    }

    /// <summary>The element type of every value the graph computes.</summary>
    public TensorProto.Types.DataType ElementType { get; }

    /// <summary>Declares a graph input of the element type.</summary>
    public string Input(string name, params Axis[] shape) => Input(name, ElementType, shape);

    /// <summary>Declares a graph input of another type (integer labels, say).</summary>
    public string Input(string name, TensorProto.Types.DataType type, params Axis[] shape)
    {
        Claim(name);
        _graph.Input.Add(ValueInfo(name, type, shape));
        return name;
    }

    /// <summary>
    /// Declares <paramref name="value"/> as the graph output <paramref name="name"/>: a node's unconsumed output is
    /// renamed in place (no copy); anything else (an input, a value other nodes read) gets an Identity node.
    /// Returns the output's name, which later nodes must use in place of <paramref name="value"/>.
    /// </summary>
    public string Output(string value, string name, params Axis[] shape)
    {
        if (value != name)
        {
            value = TryRename(value, name) ? name : Node("Identity", [value], output: name);
        }
        _graph.Output.Add(ValueInfo(value, ElementType, shape));
        return value;
    }

    /// <summary>A named tensor stored in the graph (weights, statistics), converted to the element type.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) => AddInitializer(Claim(name), dims, values);

    /// <summary>An anonymous constant tensor in the element type.</summary>
    public string Constant(ReadOnlySpan<float> values, params long[] dims) => AddInitializer(Fresh("const"), dims, values);

    /// <summary>A scalar constant in the element type (kept in double precision in double graphs).</summary>
    public string Scalar(double value) => ElementType == TensorProto.Types.DataType.Float
        ? AddInitializer(Fresh("const"), [], BitConverter.GetBytes((float)value))
        : AddInitializer(Fresh("const"), [], BitConverter.GetBytes(value));

    /// <summary>An int64 vector constant (axes, shapes, split sizes).</summary>
    public string Int64s(params long[] values)
    {
        string name = Fresh("ints");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node; returns the name of its output.</summary>
    public string Node(string opType, string[] inputs, IEnumerable<AttributeProto>? attributes = null, string? output = null) =>
        AddNode(opType, inputs, [output is null ? Fresh(opType.ToLowerInvariant()) : Claim(output)], attributes)[0];

    /// <summary>Adds a node with several outputs; returns their names.</summary>
    public string[] Node(string opType, string[] inputs, int outputs, IEnumerable<AttributeProto>? attributes = null) =>
        AddNode(opType, inputs, [.. Enumerable.Range(0, outputs).Select(_ => Fresh(opType.ToLowerInvariant()))], attributes);

    /// <summary>The graph built so far (the builder keeps adding to it).</summary>
    public GraphProto Graph => _graph;

    /// <summary>A fresh value name with <paramref name="stem"/>, unique in the graph.</summary>
    public string Fresh(string stem)
    {
        string name;
        do
        {
            name = $"{stem}_{_counter++}";
        }
        while (_names.Contains(name));
        _names.Add(name);
        return name;
    }

    private string[] AddNode(string opType, string[] inputs, string[] outputs, IEnumerable<AttributeProto>? attributes)
    {
        var node = new NodeProto { OpType = opType, Name = outputs[0] + "_node" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        if (attributes is not null)
        {
            node.Attribute.AddRange(attributes);
        }
        _graph.Node.Add(node);
        return outputs;
    }

    private bool TryRename(string value, string name)
    {
        var producer = _graph.Node.LastOrDefault(node => node.Output.Contains(value));
        if (producer is null || _graph.Node.Any(node => node.Input.Contains(value)) || _graph.Output.Any(o => o.Name == value) || _names.Contains(name))
        {
            return false;
        }
        producer.Output[producer.Output.IndexOf(value)] = name;
        _names.Add(name);
        return true;
    }

    private string Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new ArgumentException($"the graph already has a value named '{name}'", nameof(name));
        }
        return name;
    }

    private string AddInitializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        if (ElementType == TensorProto.Types.DataType.Float)
        {
            return AddInitializer(name, dims, MemoryMarshal.AsBytes(values));
        }
        var doubles = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            doubles[i] = values[i];
        }
        return AddInitializer(name, dims, MemoryMarshal.AsBytes<double>(doubles));
    }

    private string AddInitializer(string name, long[] dims, ReadOnlySpan<byte> littleEndianData)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)ElementType, RawData = ByteString.CopyFrom(littleEndianData) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, Axis[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim.Param is null
                ? new TensorShapeProto.Types.Dimension { DimValue = dim.Value }
                : new TensorShapeProto.Types.Dimension { DimParam = dim.Param });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}
