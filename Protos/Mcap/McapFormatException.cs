namespace Robotics.Protos.Mcap;

/// <summary>
/// A file is not a readable MCAP log: the message names the file, the byte offset where reading failed,
/// and what was wrong there.
/// </summary>
public sealed class McapFormatException : Exception
{
    public McapFormatException(string path, long offset, string problem)
        : base($"{path}: at byte {offset}: {problem}")
    {
        Path = path;
        Offset = offset;
        Problem = problem;
    }

    public McapFormatException(string path, long offset, string problem, Exception inner)
        : base($"{path}: at byte {offset}: {problem}", inner)
    {
        Path = path;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file that failed to read.</summary>
    public string Path { get; }

    /// <summary>Byte offset from the start of the file of the record or field that failed.</summary>
    public long Offset { get; }

    /// <summary>What was wrong, without the file and offset.</summary>
    public string Problem { get; }
}
