namespace Robotics.Trainer.Cli;

/// <summary>
/// Output paths from the command line, checked before anything runs: a directory given for an output file would
/// only fail after training. (Empty values are refused as the command line is read, by PlainOptions.)
/// </summary>
internal static class CliPaths
{
    /// <summary>A file to write: not an existing directory.</summary>
    public static string OutputFile(string flag, string path, string example) => Directory.Exists(path)
        ? throw new ArgumentException($"{flag}: {path} is a directory; give a file name, such as {Path.Combine(path, example)}")
        : path;
}
