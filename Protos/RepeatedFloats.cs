using Google.Protobuf.Collections;

namespace Robotics.Protos;

/// <summary>Filling protobuf float lists from spans, for code that reuses one message per stream or per log.</summary>
public static class RepeatedFloats
{
    /// <summary>Replaces the list's values with <paramref name="values"/>; allocates nothing once the list's capacity suffices.</summary>
    public static void ReplaceWith(this RepeatedField<float> field, ReadOnlySpan<float> values)
    {
        field.Clear();
        foreach (float value in values)
        {
            field.Add(value);
        }
    }
}
