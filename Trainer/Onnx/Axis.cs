namespace Robotics.Trainer.Onnx;

/// <summary>One dimension of a graph value's shape: a fixed size, or a named dynamic axis such as the batch.</summary>
public readonly record struct Axis(long Value, string? Param)
{
    public static implicit operator Axis(long value) => new(value, null);

    public static implicit operator Axis(string param) => new(0, param);

    public static Axis FromInt64(long value) => value;

    public static Axis FromString(string param) => param;
}
