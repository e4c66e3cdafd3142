using Robotics.Protos.Onnx;

namespace Robotics.Trainer.Onnx;

/// <summary>The operators the trainer's graphs use, as named calls (ONNX operator set 17, docs/Operators.md).</summary>
public sealed partial class GraphBuilder
{
    /// <summary>Gemm: alpha·A'·B' + beta·C with A' = Aᵀ when transA, B' = Bᵀ when transB.</summary>
    public string Gemm(string a, string b, string? c = null, bool transA = false, bool transB = false, string? output = null) =>
        Node("Gemm", c is null ? [a, b] : [a, b, c], [Int("transA", transA ? 1 : 0), Int("transB", transB ? 1 : 0)], output);

    public string MatMul(string a, string b) => Node("MatMul", [a, b]);

    public string Add(string a, string b, string? output = null) => Node("Add", [a, b], output: output);

    public string Sub(string a, string b, string? output = null) => Node("Sub", [a, b], output: output);

    public string Mul(string a, string b, string? output = null) => Node("Mul", [a, b], output: output);

    public string Div(string a, string b) => Node("Div", [a, b]);

    public string Neg(string x) => Node("Neg", [x]);

    public string Exp(string x) => Node("Exp", [x]);

    public string Log(string x) => Node("Log", [x]);

    public string Sqrt(string x, string? output = null) => Node("Sqrt", [x], output: output);

    public string Tanh(string x) => Node("Tanh", [x]);

    public string Relu(string x) => Node("Relu", [x]);

    public string LeakyRelu(string x, double alpha) => Node("LeakyRelu", [x], [Float("alpha", alpha)]);

    public string Min(params string[] values) => Node("Min", values);

    public string Max(params string[] values) => Node("Max", values);

    public string Sum(params string[] values) => Node("Sum", values);

    /// <summary>Clip (opset 11+: bounds as inputs).</summary>
    public string Clip(string x, string min, string max) => Node("Clip", [x, min, max]);

    public string Greater(string a, string b) => Node("Greater", [a, b]);

    public string And(string a, string b) => Node("And", [a, b]);

    public string Where(string condition, string whenTrue, string whenFalse) => Node("Where", [condition, whenTrue, whenFalse]);

    /// <summary>Cast a bool or integer tensor to the element type.</summary>
    public string CastToElement(string x) => Node("Cast", [x], [Int("to", (long)ElementType)]);

    public string Softmax(string x, long axis) => Node("Softmax", [x], [Int("axis", axis)]);

    public string LogSoftmax(string x, long axis) => Node("LogSoftmax", [x], [Int("axis", axis)]);

    /// <summary>ReduceSum (opset 13+: axes as an input).</summary>
    public string ReduceSum(string x, long axis, bool keepDims) =>
        Node("ReduceSum", [x, Int64s(axis)], [Int("keepdims", keepDims ? 1 : 0)]);

    /// <summary>Sum of every element, as a scalar.</summary>
    public string SumAll(string x) => Node("ReduceSum", [x], [Int("keepdims", 0)]);

    /// <summary>Sum of squares of every element, as a scalar.</summary>
    public string SumOfSquares(string x) => Node("ReduceSumSquare", [x], [Int("keepdims", 0)]);

    /// <summary>Sum of squares over one axis (opset 17 takes axes as an attribute).</summary>
    public string ReduceSumSquare(string x, long axis, bool keepDims) =>
        Node("ReduceSumSquare", [x], [Ints("axes", axis), Int("keepdims", keepDims ? 1 : 0)]);

    /// <summary>ReduceMean over one axis (opset 17 takes axes as an attribute).</summary>
    public string ReduceMean(string x, long axis, bool keepDims) =>
        Node("ReduceMean", [x], [Ints("axes", axis), Int("keepdims", keepDims ? 1 : 0)]);

    public string ReduceMax(string x, long axis, bool keepDims) =>
        Node("ReduceMax", [x], [Ints("axes", axis), Int("keepdims", keepDims ? 1 : 0)]);

    public string Concat(long axis, params string[] values) => Node("Concat", values, [Int("axis", axis)]);

    /// <summary>Splits along <paramref name="axis"/> into pieces of the given sizes (opset 13+: sizes as an input).</summary>
    public string[] Split(string x, long axis, params long[] sizes) =>
        Node("Split", [x, Int64s(sizes)], sizes.Length, [Int("axis", axis)]);

    /// <summary>Gathers one element per row: <c>out[i] = x[i, index[i]]</c> for int64 indices of shape [N, 1].</summary>
    public string GatherElements(string x, string index, long axis) => Node("GatherElements", [x, index], [Int("axis", axis)]);

    public string Equal(string a, string b) => Node("Equal", [a, b]);

    /// <summary>Unsqueeze (opset 13+: axes as an input).</summary>
    public string Unsqueeze(string x, params long[] axes) => Node("Unsqueeze", [x, Int64s(axes)]);

    public string Identity(string x, string? output = null) => Node("Identity", [x], output: output);

    /// <summary>Elements [start, end) along <paramref name="axis"/> (Slice, opset 13+: bounds as inputs).</summary>
    public string Slice(string x, long start, long end, long axis = 0) => Node("Slice", [x, Int64s(start), Int64s(end), Int64s(axis)]);

    /// <summary>Permutes the axes: output axis i is input axis perm[i].</summary>
    public string Transpose(string x, params long[] perm) => Node("Transpose", [x], [Ints("perm", perm)]);

    /// <summary>Reshape to <paramref name="dims"/> (−1 for the one inferred dimension); no copy in ONNX Runtime.</summary>
    public string Reshape(string x, params long[] dims) => Node("Reshape", [x, Int64s(dims)]);

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto Float(string name, double value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };
}
