namespace Robotics.Hardware.Buses;

/// <summary>Why a bus transaction failed.</summary>
public enum ServoBusFault
{
    /// <summary>No (complete) answer within the timeout: a servo that is off, unplugged, or at another baud rate.</summary>
    Timeout,
    /// <summary>An answer whose checksum did not match: noise on the line.</summary>
    Corrupt,
    /// <summary>An answer from another ID than the one asked, or of the wrong length.</summary>
    Unexpected,
    /// <summary>The servo answered with its error bits set (see the message).</summary>
    StatusError,
    /// <summary>The port itself failed: closed, unplugged.</summary>
    Port,
}

/// <summary>A failed servo-bus transaction, with what went wrong and which servo it was.</summary>
public sealed class ServoBusException(ServoBusFault fault, int id, string message, Exception? inner = null) : IOException(message, inner)
{
    public ServoBusFault Fault { get; } = fault;

    /// <summary>The servo concerned, or -1 for the bus as a whole.</summary>
    public int Id { get; } = id;
}
