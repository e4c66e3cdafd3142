using Robotics.Protos.Control;
using Robotics.Protos.Log;

namespace Robotics.Controller.Policy.Heads;

/// <summary>One ONNX output of a head, and where it lands in the head's output block.</summary>
/// <param name="Name">The output's name in the policy file (Protos/Policy/PolicyContract.cs).</param>
/// <param name="Offset">Where its values start in the block.</param>
/// <param name="Width">How many values: the output's second dimension.</param>
public readonly record struct HeadTensor(string Name, int Offset, int Width);

/// <summary>
/// A kind of policy head as the robot's runtime sees it: everything that differs between a Gaussian and a
/// categorical policy lives in one subclass — which ONNX outputs it has and where they land in its output block,
/// how an action is chosen from them, how unsure they say the policy is, and how they are written into the log's
/// step and a telemetry frame. Heads hold no state (their outputs live in the <see cref="PolicyRunner"/>'s block
/// and in tick records), so one instance per kind serves every thread. The kind travels by name
/// (<see cref="MetadataName"/>, <see cref="Kind"/>), never inferred from how many numbers there are.
/// docs/policy-heads.md says how to add one. Every method on the loop's path is allocation-free.
/// </summary>
public abstract class PolicyHead
{
    /// <summary>The kind as tick records, logs and telemetry carry it.</summary>
    public abstract HeadKind Kind { get; }

    /// <summary>The kind as the policy file's metadata names it (robotics.kind).</summary>
    public abstract string MetadataName { get; }

    /// <summary>Whether the robot's action is a discrete index (one action entry) rather than continuous values.</summary>
    public abstract bool ActsDiscretely { get; }

    /// <summary>The ONNX outputs for a policy with these metadata, laid out back to back in the output block.</summary>
    public abstract IReadOnlyList<HeadTensor> Tensors(PolicyMetadata metadata);

    /// <summary>How many values the output block holds.</summary>
    public int OutputCount(PolicyMetadata metadata) => Tensors(metadata).Sum(t => t.Width);

    /// <summary>The action to send: the deterministic choice, or a draw from the policy's distribution when <paramref name="stochastic"/>.</summary>
    public abstract void SelectAction(ReadOnlySpan<float> outputs, Span<float> action, bool stochastic, LoopRandom random);

    /// <summary>How unsure the policy is, in the measure its help threshold was set in (docs/bc-math.md#the-help-threshold).</summary>
    public abstract double Uncertainty(ReadOnlySpan<float> outputs, PolicyMetadata metadata);

    /// <summary>The log's step: fills this head's fields, clears the other heads', and names the head.</summary>
    /// <param name="actions">The robot's action entries (a mixture's block holds K·(1 + 2·actions) values).</param>
    public abstract void WriteStep(ReadOnlySpan<float> outputs, int actions, Step step);

    /// <summary>A telemetry frame: sets the frame's policy case to this head's message.</summary>
    /// <param name="actions">The robot's action entries.</param>
    public abstract void WriteTelemetry(ReadOnlySpan<float> outputs, int actions, TelemetryFrame frame);
}
