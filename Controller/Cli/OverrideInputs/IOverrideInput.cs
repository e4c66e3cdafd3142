namespace Robotics.Controller.Cli.OverrideInputs;

/// <summary>Where <c>controller override</c> takes a remote operator's commands from, on the operator's machine: a script, a keyboard, a gamepad.</summary>
internal interface IOverrideInput : IDisposable
{
    /// <summary>
    /// The command for now into <paramref name="action"/>; false when the source has finished (the script ran
    /// out, the operator pressed Esc) and the operator releases the robot.
    /// </summary>
    bool TryNext(TimeSpan elapsed, Span<float> action);

    /// <summary>The key the operator last pressed, for the live status line ("q", "space", "" before any); null for a source without keys.</summary>
    string? Pressed => null;
}
