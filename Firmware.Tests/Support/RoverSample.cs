namespace Robotics.Tests.Support;

/// <summary>The shipped rover config (Hardware/Samples/rover.json) written where a test wants it, its gamepad pointed at a FIFO.</summary>
public static class RoverSample
{
    private const string ShippedPadPath = "/dev/input/by-id/usb-Microsoft_Controller-event-joystick";

    /// <summary>Writes the sample (with <paramref name="edit"/> made) to <paramref name="path"/>.</summary>
    public static string Write(string path, string padPath, Func<string, string>? edit = null)
    {
        string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "Hardware", "Samples", "rover.json"))
            .Replace(ShippedPadPath, padPath, StringComparison.Ordinal);
        string edited = edit?.Invoke(text) ?? text;
        if (edit is not null && edited == text)
        {
            throw new ArgumentException("the edit did not change the sample", nameof(edit));
        }
        File.WriteAllText(path, edited);
        return path;
    }
}
