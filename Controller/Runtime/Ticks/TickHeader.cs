using System.Runtime.InteropServices;
using Robotics.Controller.Loop;
using Robotics.Controller.Safety;
using Robotics.Protos.Log;

namespace Robotics.Controller.Ticks;

/// <summary>
/// The fixed part of a tick ring record. Blittable (no managed references, explicit sizes) so that the ring can
/// live in memory shared with another process; every enum is stored in one byte. The record's vectors
/// (observation, action, head outputs) follow it in the ring at the sizes of its <see cref="TickLayout"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public struct TickHeader
{
    /// <summary>Monotonic time (ns): when a step read its sensors, when an episode began or ended.</summary>
    public long TimestampNs;

    /// <summary>Steps since the loop started (0-based). An episode record carries the next step's number.</summary>
    public long LoopTick;

    /// <summary>The episode (from 1).</summary>
    public ulong Episode;

    /// <summary>A step's index within its episode; an end's count of steps in the episode.</summary>
    public ulong EpisodeTick;

    /// <summary>OR of <see cref="StepFlag"/> bits.</summary>
    public uint Flags;

    public uint LatenessNs;

    public uint InferenceNs;

    public uint WorkNs;

    /// <summary>The policy's uncertainty on a step, in its head's measure (what the help threshold is compared with); 0 when no policy ran.</summary>
    public float Uncertainty;

    /// <summary>How far a step's observation lies from the policy's training data: its largest |z|; 0 when no policy ran.</summary>
    public float ObservationZ;

    /// <summary>An ensemble policy's novelty on a step (its members' disagreement); 0 when no ensemble ran.</summary>
    public float Novelty;

    /// <summary>OR of <see cref="HelpTrigger"/> bits: the help triggers over their thresholds on a step.</summary>
    public uint HelpTriggers;

    /// <summary>
    /// The override lease whose command was sent to the actuators on a step (<see cref="Control.OverrideLeases"/>); 0 when
    /// no override operator drove it. Readers name its holder through the loop's <see cref="OverrideOperators"/>.
    /// </summary>
    public long OverrideLease;

    private byte _kind;
    private byte _mode;
    private byte _source;
    private byte _fault;
    private byte _head;
    private byte _outcome;
    private ushort _reason;

    public TickKind Kind { readonly get => (TickKind)_kind; set => _kind = (byte)value; }

    public ControlMode Mode { readonly get => (ControlMode)_mode; set => _mode = (byte)value; }

    /// <summary>Who chose the action sent.</summary>
    public ActionSource Source { readonly get => (ActionSource)_source; set => _source = (byte)value; }

    /// <summary>The fault latched as of this step (None when there is none).</summary>
    public FaultKind Fault { readonly get => (FaultKind)_fault; set => _fault = (byte)value; }

    /// <summary>The head whose outputs the record carries; None when no policy ran this step.</summary>
    public HeadKind Head { readonly get => (HeadKind)_head; set => _head = (byte)value; }

    /// <summary>How an episode ended (EpisodeEnd records).</summary>
    public EpisodeOutcome Outcome { readonly get => (EpisodeOutcome)_outcome; set => _outcome = (byte)value; }

    /// <summary>Why an episode ended, as a code of the loop's <see cref="EndReasons"/> (EpisodeEnd records).</summary>
    public ushort Reason { readonly get => _reason; set => _reason = value; }
}
