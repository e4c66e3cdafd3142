namespace Robotics.Trainer.Demo;

/// <summary>
/// Where a demo or a study writes: data/ (teleop and DAgger logs), policies/ (each policy and its training run),
/// evaluation/ (recordings of the evaluation episodes), and the report at the top.
/// </summary>
public sealed class DemoFolder
{
    /// <summary>Written last: its presence marks a folder a demo made, which a later demo may replace.</summary>
    public const string SummaryFile = "demo.json";

    private DemoFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }

    /// <summary>
    /// A fresh folder: created if missing; an earlier run's folder (one holding <paramref name="summaryFile"/>) is
    /// emptied; any other non-empty folder is refused rather than overwritten.
    /// </summary>
    /// <param name="summaryFile">The file the run writes last: <see cref="SummaryFile"/> for a demo, a study's own.</param>
    public static DemoFolder Create(string path, string summaryFile = SummaryFile)
    {
        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            if (!System.IO.File.Exists(System.IO.Path.Combine(path, summaryFile)))
            {
                string run = summaryFile == SummaryFile ? "demo" : "study";
                throw new IOException($"--out: {path} is not empty and is not an earlier {run}'s folder; choose another --out");
            }
            Directory.Delete(path, recursive: true);
        }
        var folder = new DemoFolder(path);
        foreach (string sub in new[] { "data", "policies", "evaluation" })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(folder.Path, sub));
        }
        return folder;
    }

    public string Data(string name) => System.IO.Path.Combine(Path, "data", name);

    public string Policy(string name) => System.IO.Path.Combine(Path, "policies", name);

    public string Evaluation(string name) => System.IO.Path.Combine(Path, "evaluation", name);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A path inside the folder as the report shows it.</summary>
    public string Relative(string path) => System.IO.Path.GetRelativePath(Path, path);

    /// <summary>
    /// A path inside the folder as a command typed where the demo ran names it: relative to that directory
    /// when the folder is below it (demo/data/teleop.mcap), whole otherwise; quoted if it has a space.
    /// </summary>
    public static string FromWorkingDirectory(string path)
    {
        string relative = System.IO.Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        string shown = relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative) ? path : relative;
        return shown.Contains(' ', StringComparison.Ordinal) ? $"\"{shown}\"" : shown;
    }
}
