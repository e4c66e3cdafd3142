using System.Runtime.InteropServices;
using Robotics.Controller.Shared;

namespace Robotics.Controller.Link;

/// <summary>The override operator's newest command, as the gateway hands it to the loop (its values follow in the cell).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct LinkCommand
{
    /// <summary>The lease it was sent under: the loop applies only the current lease's commands.</summary>
    public long Lease;

    /// <summary>The operator's sequence number: a new number is a new command, and restarts the staleness clock.</summary>
    public long Sequence;

    /// <summary>When the operator sent it (its clock), echoed in Applied.</summary>
    public long SentNs;
}

/// <summary>What the loop sent for the newest override command it applied (the values follow in the cell).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct LinkApplied
{
    public long Lease;
    public long Sequence;

    /// <summary>The loop tick that first applied it.</summary>
    public long Tick;

    /// <summary>When the actuators were written (monotonic ns).</summary>
    public long AppliedNs;
}

/// <summary>Bits of <see cref="LinkStatus.Flags"/>.</summary>
[Flags]
public enum LinkStatusBits : uint
{
    None = 0,
    LoopRunning = 1,
    EmergencyStopped = 2,
    StopInputActive = 4,
    OverrideStale = 8,
    Recording = 16,
    RecordingFailed = 32,
}

/// <summary>
/// The loop process's status, refreshed every few milliseconds by its link thread: everything GetStatus reports
/// that changes while the loop runs (device counters excepted: those are asked for).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct LinkStatus
{
    /// <summary>When this snapshot was taken (monotonic ns): the loop process's heartbeat.</summary>
    public long HeartbeatNs;

    public long StartedAtNs;
    public long Ticks;
    public ulong Episode;
    public ulong EpisodeTick;
    public long Overruns;
    public double LatenessP50Us;
    public double LatenessP99Us;

    /// <summary>The override lease in force (0: none), and its holder in <see cref="OverrideOwner"/>.</summary>
    public long Lease;

    public long RecordingStepsKept;
    public long RecordingStepsDropped;

    /// <summary>Override commands the loop refused (non-finite, out of the rules, another lease's): a faulty gateway shows here.</summary>
    public long RejectedCommands;

    /// <summary>Requests from the gateway the loop could not read (unknown kind, bad text).</summary>
    public long RejectedRequests;
    /// <summary>Stalls the loop's watchdog caught (it halted the actuators for each).</summary>
    public long WatchdogTrips;
    /// <summary>Steps the recorder could not keep up with (its ring overran), over the current recording.</summary>
    public long RecorderDroppedSteps;

    public LinkStatusBits Flags;
    public byte Mode;
    public byte Fault;
    public ushort Reserved;

    public FixedText OverrideOwner;
    public FixedText RecordingPath;
    public FixedText RecordingError;
}

/// <summary>What the gateway may ask of the loop process.</summary>
public enum LinkRequestKind
{
    None = 0,
    SetMode = 1,
    ResetEpisode = 2,
    StartRecording = 3,
    StopRecording = 4,
    EmergencyStop = 5,
    ReleaseEmergencyStop = 6,
    /// <summary>Take the override lease for the operator named in the text; the reply's result is the lease.</summary>
    TakeOver = 7,
    /// <summary>Give lease <c>Argument</c> back; the text says why.</summary>
    ReleaseOverride = 8,
    /// <summary>The devices' counters, as a serialized Status (its devices alone) in the reply's bytes.</summary>
    DeviceCounters = 9,
}

/// <summary>One request slot in the gateway's segment. Posted by writing <see cref="Id"/> last.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct LinkRequest
{
    /// <summary>
    /// Non-zero and new: a request to take. Written after the fields. Its upper 32 bits are the generation of the gateway
    /// that posted it (<see cref="GatewayPresence.Generation"/>).
    /// </summary>
    public long Id;

    public int Kind;
    public int Reserved;
    public long Argument;

    /// <summary>A path, a reason, an operator's name.</summary>
    public FixedText Text;
}

/// <summary>The loop's answer to the request in the same slot of the gateway's segment.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public unsafe struct LinkReply
{
    public const int DataCapacity = 4096;

    /// <summary>The request being carried out (0: none).</summary>
    public long TakenId;

    /// <summary>The request this answers; written after the fields.</summary>
    public long AnsweredId;

    /// <summary>0: done; otherwise a <see cref="Control.ControlFailure"/> plus one.</summary>
    public int Failure;

    public int DataLength;

    /// <summary>A lease, for TakeOver.</summary>
    public long Result;

    public byte Mode;
    public bool EmergencyStopped;
    public ushort Reserved;
    public int Reserved2;

    /// <summary>The reply's message, or the refusal's.</summary>
    public FixedText Message;

    /// <summary>The recording after the request (ControlReply reports it).</summary>
    public FixedText Recording;

    /// <summary>Bytes some replies carry (DeviceCounters).</summary>
    public fixed byte Data[DataCapacity];
}

/// <summary>One event of the loop process, as the gateway's event streams send it.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct LinkEvent
{
    public long TimestampNs;
    public ulong Episode;
    public ulong Tick;
    public double Uncertainty;
    public double ObservationZ;
    public double Novelty;
    public int Index;
    public uint HelpTriggers;
    public byte Kind;
    public byte Outcome;
    public byte Fault;
    public byte Mode;
    public FixedText Text;
}
