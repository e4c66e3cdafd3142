namespace Robotics.Protos.Mcap;

/// <summary>What both MCAP readers offer: the messages, in file order, and what they met on the way.</summary>
public interface IMcapMessageSource : IDisposable
{
    /// <summary>The file being read, as given.</summary>
    string Path { get; }

    /// <summary>Schemas by id. Complete once <see cref="ReadMessages"/> has been enumerated.</summary>
    IReadOnlyDictionary<ushort, McapSchema> Schemas { get; }

    /// <summary>Channels by id. Complete once <see cref="ReadMessages"/> has been enumerated.</summary>
    IReadOnlyDictionary<ushort, McapChannel> Channels { get; }

    /// <summary>Metadata records. Complete once <see cref="ReadMessages"/> has been enumerated.</summary>
    IReadOnlyList<McapMetadata> Metadata { get; }

    /// <summary>What a tolerant read skipped or found cut short; empty for a sound file.</summary>
    IReadOnlyList<McapIssue> Issues { get; }

    /// <summary>
    /// Yields every message in file order. Enumerate once. Throws <see cref="McapFormatException"/> on
    /// damage the options do not allow, after yielding the messages before it.
    /// </summary>
    IEnumerable<McapMessage> ReadMessages();
}
