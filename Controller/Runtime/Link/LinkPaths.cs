namespace Robotics.Controller.Link;

/// <summary>Where links live by default: /dev/shm, which is memory (a link on a disk would work, and wear it).</summary>
public static class LinkPaths
{
    private static int _made;

    /// <summary>The folder for links: /dev/shm, or the temporary folder on a system without it.</summary>
    public static string Folder => Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>A run's own link: named after the robot and the process, so two runs on one machine never share one.</summary>
    public static string ForRun(string robot) =>
        Path.Combine(Folder, $"robotics-{Sanitize(robot)}-{Environment.ProcessId}");

    /// <summary>A fresh path for a link inside this process (a simulation's, a test's).</summary>
    public static string Unique() => Path.Combine(Folder, $"robotics-{Environment.ProcessId}-{Interlocked.Increment(ref _made)}");

    private static string Sanitize(string robot)
    {
        string name = Path.GetFileNameWithoutExtension(robot.Replace(':', '-'));
        return string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
    }
}
