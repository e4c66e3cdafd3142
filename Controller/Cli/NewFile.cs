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
}
