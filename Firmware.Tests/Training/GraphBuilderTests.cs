using Robotics.Protos.Onnx;
using Robotics.Tests.Support;
using Robotics.Trainer.Onnx;

namespace Robotics.Tests.Training;

/// <summary>
/// The graph builder's operators one by one, each in a tiny graph that ONNX Runtime runs, against the same
/// arithmetic written out in C#. The training and export graphs are made of nothing else, so a wrong attribute
/// or input order here would otherwise show only as a policy that learns badly.
/// </summary>
public sealed class GraphBuilderTests
{
    private static readonly float[] Row = [-2f, -0.5f, 0f, 0.5f, 2f];

    [Fact]
    public void Gemm_multiplies_with_either_side_transposed_and_adds_the_bias_row()
    {
        float[] a = [1, 2, 3, 4, 5, 6];
        float[] b = [1, -1, 0, 2, 3, 0.5f, -2, 1, 0, 1, 1, -3];
        float[] c = [0.5f, -0.5f, 1, 2];
        var g = new GraphBuilder("gemm");
        string x = g.Input("a", 2, 3);
        string y = g.Input("b", 3, 4);
        string xT = g.Input("aT", 3, 2);
        string yT = g.Input("bT", 4, 3);
        g.Output(g.Gemm(x, y, g.Input("c", 4)), "ab_plus_c", 2, 4);
        g.Output(g.Gemm(xT, y, transA: true), "aT_transposed_b", 2, 4);
        g.Output(g.Gemm(x, yT, transB: true), "a_bT_transposed", 2, 4);
        g.Output(g.MatMul(x, y), "matmul", 2, 4);

        var outputs = Run(g, new()
        {
            ["a"] = (a, [2, 3]),
            ["b"] = (b, [3, 4]),
            ["aT"] = (Transpose(a, 2, 3), [3, 2]),
            ["bT"] = (Transpose(b, 3, 4), [4, 3]),
            ["c"] = (c, [4]),
        }, "ab_plus_c", "aT_transposed_b", "a_bT_transposed", "matmul");

        var product = new double[8];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                for (int k = 0; k < 3; k++)
                {
                    product[i * 4 + j] += a[i * 3 + k] * b[k * 4 + j];
                }
            }
        }
        Close(product.Select((p, i) => p + c[i % 4]), outputs["ab_plus_c"]);
        Close(product, outputs["aT_transposed_b"]);
        Close(product, outputs["a_bT_transposed"]);
        Close(product, outputs["matmul"]);
    }

    [Fact]
    public void Activations_and_clip_act_element_by_element()
    {
        var g = new GraphBuilder("activations");
        string x = g.Input("x", 1, 5);
        g.Output(g.LeakyRelu(x, 0.1), "leaky", 1, 5);
        g.Output(g.Relu(x), "relu", 1, 5);
        g.Output(g.Tanh(x), "tanh", 1, 5);
        g.Output(g.Clip(x, g.Scalar(-1), g.Scalar(0.25)), "clip", 1, 5);

        var outputs = Run(g, new() { ["x"] = (Row, [1, 5]) }, "leaky", "relu", "tanh", "clip");

        Close(Row.Select(v => v > 0 ? v : 0.1 * v), outputs["leaky"]);
        Close(Row.Select(v => Math.Max(0.0, v)), outputs["relu"]);
        Close(Row.Select(v => Math.Tanh(v)), outputs["tanh"]);
        Close(Row.Select(v => Math.Clamp(v, -1, 0.25)), outputs["clip"]);
    }

    [Fact]
    public void Arithmetic_broadcasts_a_row_or_a_scalar_over_a_matrix()
    {
        float[] m = [1, 2, 4, 0.5f, 3, 9];
        float[] row = [2, -1, 0.5f];
        var g = new GraphBuilder("arithmetic");
        string x = g.Input("m", 2, 3);
        string r = g.Input("row", 3);
        g.Output(g.Add(x, r), "add", 2, 3);
        g.Output(g.Sub(x, r), "sub", 2, 3);
        g.Output(g.Mul(x, r), "mul", 2, 3);
        g.Output(g.Div(x, r), "div", 2, 3);
        g.Output(g.Min(x, g.Scalar(2)), "min", 2, 3);
        g.Output(g.Max(x, g.Scalar(2)), "max", 2, 3);
        g.Output(g.Sum(x, x, r), "sum", 2, 3);
        g.Output(g.Neg(g.Log(x)), "neg_log", 2, 3);
        g.Output(g.Sqrt(g.Exp(x)), "sqrt_exp", 2, 3);

        var outputs = Run(g, new() { ["m"] = (m, [2, 3]), ["row"] = (row, [3]) },
            "add", "sub", "mul", "div", "min", "max", "sum", "neg_log", "sqrt_exp");

        Close(m.Select((v, i) => (double)v + row[i % 3]), outputs["add"]);
        Close(m.Select((v, i) => (double)v - row[i % 3]), outputs["sub"]);
        Close(m.Select((v, i) => (double)v * row[i % 3]), outputs["mul"]);
        Close(m.Select((v, i) => (double)v / row[i % 3]), outputs["div"]);
        Close(m.Select(v => Math.Min(v, 2.0)), outputs["min"]);
        Close(m.Select(v => Math.Max(v, 2.0)), outputs["max"]);
        Close(m.Select((v, i) => 2.0 * v + row[i % 3]), outputs["sum"]);
        Close(m.Select(v => -Math.Log(v)), outputs["neg_log"]);
        Close(m.Select(v => Math.Exp(v / 2.0)), outputs["sqrt_exp"]);
    }

    [Fact]
    public void Split_takes_column_blocks_of_the_given_sizes_and_concat_joins_them_back()
    {
        float[] m = [1, 2, 3, 4, 5, 6];
        var g = new GraphBuilder("split");
        string x = g.Input("m", 2, 3);
        var parts = g.Split(x, 1, 1, 2);
        string first = g.Output(parts[0], "first", 2, 1);
        g.Output(g.Concat(1, parts[1], first), "rotated", 2, 3);
        g.Output(g.Concat(0, x, x), "stacked", 4, 3);

        var outputs = Run(g, new() { ["m"] = (m, [2, 3]) }, "first", "rotated", "stacked");

        Close([1, 4], outputs["first"]);
        Close([2, 3, 1, 5, 6, 4], outputs["rotated"]);
        Close([.. m, .. m], outputs["stacked"]);
    }

    [Fact]
    public void Softmax_and_log_softmax_normalize_each_row()
    {
        float[] logits = [1, 2, 3, -1, 0, 5];
        var g = new GraphBuilder("softmax");
        string x = g.Input("logits", 2, 3);
        g.Output(g.LogSoftmax(x, axis: 1), "log_softmax", 2, 3);
        g.Output(g.Softmax(x, axis: 1), "softmax", 2, 3);

        var outputs = Run(g, new() { ["logits"] = (logits, [2, 3]) }, "log_softmax", "softmax");

        double[] expected = new double[6];
        for (int row = 0; row < 2; row++)
        {
            double logSum = Math.Log(Enumerable.Range(0, 3).Sum(j => Math.Exp(logits[row * 3 + j])));
            for (int j = 0; j < 3; j++)
            {
                expected[row * 3 + j] = logits[row * 3 + j] - logSum;
            }
        }
        Close(expected, outputs["log_softmax"]);
        Close(expected.Select(Math.Exp), outputs["softmax"]);
    }

    [Fact]
    public void Comparisons_select_and_cast_to_masks()
    {
        var g = new GraphBuilder("masks");
        string x = g.Input("x", 1, 5);
        string positive = g.Greater(x, g.Scalar(0));
        g.Output(g.Where(positive, g.Scalar(1), g.Scalar(0.1)), "slope", 1, 5);
        g.Output(g.CastToElement(g.And(g.Greater(x, g.Scalar(-1)), g.Greater(g.Scalar(1), x))), "inside", 1, 5);
        g.Output(g.CastToElement(g.Equal(x, g.Scalar(0.5))), "equal", 1, 5);

        var outputs = Run(g, new() { ["x"] = (Row, [1, 5]) }, "slope", "inside", "equal");

        Close(Row.Select(v => v > 0 ? 1 : 0.1), outputs["slope"]);
        Close(Row.Select(v => v is > -1 and < 1 ? 1.0 : 0), outputs["inside"]);
        Close(Row.Select(v => v == 0.5f ? 1.0 : 0), outputs["equal"]);
    }

    [Fact]
    public void Reductions_sum_square_average_and_take_the_maximum()
    {
        float[] m = [1, -2, 3, 4, 5, -6];
        var g = new GraphBuilder("reductions");
        string x = g.Input("m", 2, 3);
        g.Output(g.SumAll(x), "sum_all");
        g.Output(g.SumOfSquares(x), "sum_of_squares");
        g.Output(g.ReduceSum(x, 0, keepDims: true), "column_sums", 1, 3);
        g.Output(g.ReduceMean(x, 1, keepDims: false), "row_means", 2);
        g.Output(g.ReduceMax(x, 1, keepDims: true), "row_maxima", 2, 1);

        var outputs = Run(g, new() { ["m"] = (m, [2, 3]) }, "sum_all", "sum_of_squares", "column_sums", "row_means", "row_maxima");

        Close([m.Sum()], outputs["sum_all"]);
        Close([m.Sum(v => v * v)], outputs["sum_of_squares"]);
        Close([5, 3, -3], outputs["column_sums"]);
        Close([2 / 3.0, 1], outputs["row_means"]);
        Close([3, 5], outputs["row_maxima"]);
    }

    [Fact]
    public void Slices_reshapes_one_hot_rows_and_gathers_pick_the_elements_asked_for()
    {
        float[] flat = [0, 1, 2, 3, 4, 5, 6, 7];
        long[] labels = [2, 0];
        var g = new GraphBuilder("indexing");
        string x = g.Input("flat", 8);
        // An output's name replaces the value's: later nodes read it by the name Output returns.
        string matrix = g.Output(g.Reshape(g.Slice(x, 2, 8), 2, -1), "matrix", 2, 3);
        string label = g.Input("labels", TensorProto.Types.DataType.Int64, 2);
        g.Output(g.CastToElement(g.Equal(g.Unsqueeze(label, 1), g.Int64s(0, 1, 2))), "one_hot", 2, 3);
        g.Output(g.GatherElements(matrix, g.Unsqueeze(label, 1), 1), "picked", 2, 1);
        g.Output(g.Constant([7, 8], 2), "constant", 2);

        var outputs = Run(g, new() { ["flat"] = (flat, [8]), ["labels"] = (labels, [2]) }, "matrix", "one_hot", "picked", "constant");

        Close([2, 3, 4, 5, 6, 7], outputs["matrix"]);
        Close([0, 0, 1, 1, 0, 0], outputs["one_hot"]);
        Close([4, 5], outputs["picked"]);
        Close([7, 8], outputs["constant"]);
    }

    [Fact]
    public void An_output_renames_its_node_in_place_or_copies_a_value_that_is_still_read()
    {
        var g = new GraphBuilder("outputs");
        string x = g.Input("x", 1, 5);
        string exp = g.Output(g.Exp(x), "exp", 1, 5);
        g.Output(g.Neg(exp), "neg_exp", 1, 5);
        g.Output(x, "x_again", 1, 5);

        var outputs = Run(g, new() { ["x"] = (Row, [1, 5]) }, "exp", "neg_exp", "x_again");

        Assert.Equal("exp", exp);
        Assert.Equal(["Exp", "Neg", "Identity"], g.Graph.Node.Select(n => n.OpType));
        Close(Row.Select(v => Math.Exp(v)), outputs["exp"]);
        Close(Row.Select(v => -Math.Exp(v)), outputs["neg_exp"]);
        Close(Row.Select(v => (double)v), outputs["x_again"]);
        Assert.Throws<ArgumentException>(() => g.Input("x", 1));
    }

    [Fact]
    public void A_double_graph_computes_and_keeps_its_constants_in_double_precision()
    {
        var g = new GraphBuilder("double", TensorProto.Types.DataType.Double);
        string x = g.Input("x", 2);
        g.Output(g.Add(g.Mul(x, g.Initializer("scale", [0.5f, 2f], 2)), g.Scalar(1e-12)), "y", 2);

        var y = Run(g, new() { ["x"] = (new[] { 1.0, 3.0 }, [2]) }, "y")["y"];

        // 1e-12 vanishes next to 0.5 in float (ε ≈ 6e-8); double keeps it.
        Assert.Equal([0.5 + 1e-12, 6 + 1e-12], y);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GraphBuilder("ints", TensorProto.Types.DataType.Int64));
    }

    private static Dictionary<string, double[]> Run(GraphBuilder g, Dictionary<string, (Array Data, long[] Shape)> inputs, params string[] outputs)
    {
        using var runner = new GraphRunner(OnnxModel.Create(g.Graph));
        return runner.Run(inputs, outputs);
    }

    private static float[] Transpose(float[] m, int rows, int columns) =>
        [.. Enumerable.Range(0, rows * columns).Select(i => m[(i % rows) * columns + i / rows])];

    /// <summary>Float graphs: agreement to float rounding (a few ulps of values near 1–100).</summary>
    private static void Close(IEnumerable<double> expected, double[] actual)
    {
        double[] want = [.. expected];
        Assert.Equal(want.Length, actual.Length);
        for (int i = 0; i < want.Length; i++)
        {
            Assert.True(Math.Abs(want[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(want[i])), $"[{i}]: expected {want[i]:G9}, got {actual[i]:G9}");
        }
    }
}
