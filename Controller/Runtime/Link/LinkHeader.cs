using System.Runtime.InteropServices;

namespace Robotics.Controller.Link;

/// <summary>
/// The start of the loop's segment: what the gateway checks before it reads anything else. Fixed layout, no managed
/// references; <see cref="LinkGeometry.Version"/> changes whenever it, or anything the segments hold, changes.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct LinkHeader
{
    /// <summary>"RBTLINK" and a zero byte, little-endian: tells a link segment from any other file.</summary>
    public const ulong ExpectedMagic = 0x004B4E494C544252;

    public ulong Magic;
    public int Version;

    /// <summary>A <see cref="LinkState"/>: the gateway waits for Ready, and reports the robot down at Stopped.</summary>
    public int State;

    public long LoopBytes;
    public long GatewayBytes;

    /// <summary>The robot's names and limits, hashed (<see cref="RobotFingerprint"/>): a gateway started for another robot is refused.</summary>
    public ulong RobotHash;

    public int Observations;
    public int Actions;
    public int HeadOutputs;
    public int TickCapacity;
    public int EventCapacity;
    public int RequestSlots;
    public int DescriptorCapacity;
    public int DescriptorLength;

    /// <summary>The loop process, for the gateway to tell a loop that died from one that is slow.</summary>
    public int LoopPid;

    public int Reserved;
    public long CreatedNs;
}

/// <summary>Where the loop's side of the link is.</summary>
public enum LinkState
{
    Creating = 0,
    Ready = 1,
    /// <summary>The loop has stopped (its run ended); the segment is about to go.</summary>
    Stopped = 2,
}

/// <summary>The start of the gateway's segment: who is attached, and since when.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct GatewayPresence
{
    public int Pid;
    public int Reserved;

    /// <summary>Incremented by each gateway that attaches: the loop frees the override lease of the one before.</summary>
    public long Generation;

    /// <summary>Monotonic ns, written by the gateway every few milliseconds while it runs.</summary>
    public long HeartbeatNs;

    /// <summary>The address the gateway serves at, once it listens (port 0 asked for a free one).</summary>
    public Shared.FixedText Address;
}
