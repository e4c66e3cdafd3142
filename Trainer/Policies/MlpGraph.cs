using Robotics.Trainer.Onnx;

namespace Robotics.Trainer.Policies;

/// <summary>What the forward pass leaves behind for the backward pass.</summary>
/// <param name="Input">The network input.</param>
/// <param name="Activations">Each hidden layer's activation a = f(a_prev·W + b).</param>
/// <param name="Output">The head layer's output (no activation).</param>
public sealed record ForwardTrace(string Input, IReadOnlyList<string> Activations, string Output);

/// <summary>
/// The MLP as graph nodes: its forward pass, and the backward pass derived by hand (docs/bc-math.md#the-network)
/// from the gradient of the loss with respect to the head output. A single network's layers are Gemm nodes on
/// [batch, width] values; an ensemble's are batched MatMul nodes on [K, batch, width] values against [K, in, out]
/// weights, the same arithmetic once per member (docs/bc-math.md#the-ensemble).
/// </summary>
public static class MlpGraph
{
    /// <param name="parameters">Graph value names of W0, b0, W1, b1, ... in <see cref="PolicyShape.Parameters"/> order.</param>
    public static ForwardTrace Forward(GraphBuilder g, PolicyShape shape, string input, IReadOnlyList<string> parameters)
    {
        var post = new List<string>();
        string a = input;
        int layers = shape.Widths.Count - 1;
        for (int layer = 0; layer < layers; layer++)
        {
            string h = shape.IsEnsemble
                ? g.Add(g.MatMul(a, parameters[2 * layer]), parameters[2 * layer + 1])
                : g.Gemm(a, parameters[2 * layer], parameters[2 * layer + 1]);
            if (layer == layers - 1)
            {
                return new ForwardTrace(input, post, h);
            }
            a = Activate(g, shape, h);
            post.Add(a);
        }
        throw new InvalidOperationException("unreachable: a policy has at least one layer");
    }

    /// <summary>
    /// Backpropagates dL/d(output) through the layers: for each layer dW = aᵀ·dh, db = 1ᵀ·dh (the batch sum,
    /// as a Gemm with a row of ones: MLAS sums a batch faster than ReduceSum over axis 0), da = dh·Wᵀ, and
    /// dh = da ⊙ f'(h) for the hidden activations. Returns gradient names in parameter order; bias gradients
    /// have shape [1, out] ([K, 1, out] in an ensemble, where every product is per member: a batched MatMul with
    /// the member's matrix transposed).
    /// </summary>
    public static IReadOnlyList<string> Backward(GraphBuilder g, PolicyShape shape, ForwardTrace trace, IReadOnlyList<string> parameters, string outputGradient, int batchSize)
    {
        string ones = g.Constant([.. Enumerable.Repeat(1f, batchSize)], 1, batchSize);
        int layers = shape.Widths.Count - 1;
        var gradients = new string[2 * layers];
        string dh = outputGradient;
        for (int layer = layers - 1; layer >= 0; layer--)
        {
            string layerInput = layer == 0 ? trace.Input : trace.Activations[layer - 1];
            gradients[2 * layer] = shape.IsEnsemble ? g.MatMul(MemberTranspose(g, layerInput), dh) : g.Gemm(layerInput, dh, transA: true);
            gradients[2 * layer + 1] = shape.IsEnsemble ? g.MatMul(ones, dh) : g.Gemm(ones, dh);
            if (layer == 0)
            {
                break;
            }
            string da = shape.IsEnsemble ? g.MatMul(dh, MemberTranspose(g, parameters[2 * layer])) : g.Gemm(dh, parameters[2 * layer], transB: true);
            dh = g.Mul(da, ActivationDerivative(g, shape, trace.Activations[layer - 1]));
        }
        return gradients;
    }

    /// <summary>Each member's matrix transposed: [K, m, n] to [K, n, m].</summary>
    private static string MemberTranspose(GraphBuilder g, string x) => g.Transpose(x, 0, 2, 1);

    private static string Activate(GraphBuilder g, PolicyShape shape, string h) => shape.Activation switch
    {
        Activation.LeakyRelu => g.LeakyRelu(h, shape.LeakySlope),
        Activation.Relu => g.Relu(h),
        Activation.Tanh => g.Tanh(h),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape.Activation, "unknown activation"),
    };

    /// <summary>
    /// f'(h) from the activation's output a alone: 1 or slope (LeakyReLU: a &gt; 0 exactly when h &gt; 0),
    /// 1 or 0 (ReLU), 1 − a² (tanh). Not reading h lets ONNX Runtime fuse each Gemm with its activation.
    /// </summary>
    private static string ActivationDerivative(GraphBuilder g, PolicyShape shape, string a) => shape.Activation switch
    {
        Activation.LeakyRelu => g.Where(g.Greater(a, g.Scalar(0)), g.Scalar(1), g.Scalar(shape.LeakySlope)),
        Activation.Relu => g.CastToElement(g.Greater(a, g.Scalar(0))),
        Activation.Tanh => g.Sub(g.Scalar(1), g.Mul(a, a)),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape.Activation, "unknown activation"),
    };
}
