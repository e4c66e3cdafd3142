namespace Robotics.Trainer.Cli;

/// <summary>
/// Paths from the command line, checked before anything runs: .NET's own error for an empty path names a
/// parameter ("(Parameter 'path')"), and a directory given for an output file would only fail after training.
/// </summary>
internal static class CliPaths
{
    public static string NotEmpty(string flag, string path) =>
        string.IsNullOrWhiteSpace(path) ? throw new ArgumentException($"{flag}: got an empty path; give a file or directory name") : path;

    /// <summary>A file to write: not empty, and not an existing directory.</summary>
    public static string OutputFile(string flag, string path, string example) => Directory.Exists(NotEmpty(flag, path))
        ? throw new ArgumentException($"{flag}: {path} is a directory; give a file name, such as {Path.Combine(path, example)}")
        : path;
}
