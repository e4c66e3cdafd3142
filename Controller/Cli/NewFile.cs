namespace Robotics.Controller.Cli;

/// <summary>A file a command is asked to create (a recording, a benchmark's log): it must not replace anything.</summary>
internal static class NewFile
{
    /// <summary>Refuses <paramref name="path"/> (given as <paramref name="option"/>) when something is there already or its folder is missing.</summary>
    public static string Check(string path, string option)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"{option}: {path} is a folder; give a file name, such as {Path.Combine(path, "run.mcap")}");
        }
        if (File.Exists(path))
        {
            throw new IOException($"{option}: {path} already exists: it is never replaced (choose a new name)");
        }
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{option}: {folder}: no such folder");
        }
        return path;
    }

    /// <summary>
    /// Where a recording goes: <paramref name="path"/> itself, or, when it is a folder (a service's recordings folder), a
    /// new file in it named by the robot and the start time in UTC, e.g. so101-20261128T071533Z.mcap, so that every start
    /// of a service gets a recording of its own.
    /// </summary>
    public static string Recording(string path, string robot)
    {
        if (!Directory.Exists(path))
        {
            return Check(path, "--record");
        }
        string name = new([.. robot.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        string file = $"{name}-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture)}.mcap";
        return Check(Path.Combine(path, file), "--record");
    }
}
