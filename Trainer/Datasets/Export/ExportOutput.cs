namespace Robotics.Trainer.Datasets.Export;

/// <summary>
/// An export's destination, written whole or not at all: everything goes into a hidden sibling first, which
/// <see cref="Commit"/> moves into place; disposing without committing deletes it. An existing OUT that is not
/// empty is refused unless the caller forces its replacement, which happens only at the commit.
/// </summary>
public sealed class ExportOutput : IDisposable
{
    private bool _committed;

    private ExportOutput(string target, string staging, bool directory)
    {
        Target = target;
        Staging = staging;
        IsDirectory = directory;
    }

    /// <summary>OUT, as a full path.</summary>
    public string Target { get; }

    /// <summary>Where the export writes: a directory, or a file, as <see cref="IsDirectory"/> says.</summary>
    public string Staging { get; }

    public bool IsDirectory { get; }

    public static ExportOutput Begin(string target, bool force, bool directory)
    {
        string full = Path.GetFullPath(target.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) is { Length: > 0 } trimmed ? trimmed : target);
        bool occupied = Directory.Exists(full) ? Directory.EnumerateFileSystemEntries(full).Any() : File.Exists(full) && new FileInfo(full).Length > 0;
        if (occupied && !force)
        {
            throw new IOException($"{target}: exists and is not empty; --force replaces it");
        }
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(full)}.partial-{Guid.NewGuid():N}");
        if (directory)
        {
            Directory.CreateDirectory(staging);
        }
        return new ExportOutput(full, staging, directory);
    }

    /// <summary>Replaces OUT with what was written.</summary>
    public void Commit()
    {
        if (Directory.Exists(Target))
        {
            Directory.Delete(Target, recursive: true);
        }
        else if (File.Exists(Target))
        {
            File.Delete(Target);
        }
        if (IsDirectory)
        {
            Directory.Move(Staging, Target);
        }
        else
        {
            File.Move(Staging, Target);
        }
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }
        if (Directory.Exists(Staging))
        {
            Directory.Delete(Staging, recursive: true);
        }
        else if (File.Exists(Staging))
        {
            File.Delete(Staging);
        }
    }
}
