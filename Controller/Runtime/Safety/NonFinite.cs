namespace Robotics.Controller.Safety;

/// <summary>The check every vector on its way through the loop gets: sensors, policy outputs, commands.</summary>
public static class NonFinite
{
    /// <summary>The index of the first NaN or infinite value, or −1.</summary>
    public static int FirstIndex(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
