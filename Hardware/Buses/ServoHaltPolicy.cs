using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Buses;

/// <summary>What a servo chain does with its servos on halt, emergency stop, fault and stop.</summary>
public enum ServoHaltMode
{
    /// <summary>Torque off: the servos go limp (an arm without brakes falls under gravity).</summary>
    TorqueOff,
    /// <summary>Goal = the position read when the halt began, torque on: the arm stays where it was.</summary>
    Hold,
    /// <summary>Goal = a configured pose, torque on: the arm goes there at the servos' own speed.</summary>
    Pose,
}

/// <summary>
/// A chain's halt (docs/robot-config.md, "Drivers"): the mode, the pose for <see cref="ServoHaltMode.Pose"/>, and
/// how long a halt may go unconfirmed by the servos' read-back before that is an error event (a stop keeps
/// trying that long before it closes the bus).
/// </summary>
/// <param name="Pose">One goal per servo, in the order of <c>ids</c>, in raw control-table units; empty unless the mode is a pose.</param>
public sealed record ServoHaltPolicy(ServoHaltMode Mode, int[] Pose, TimeSpan ConfirmWithin)
{
    /// <summary>Settings this reads, beside the chain's own.</summary>
    public static readonly string[] Fields = ["halt", "halt_pose", "halt_confirm_ms"];

    /// <summary>Goal Position's range in position control, one turn (X-series and STS3215 control tables: 0–4095).</summary>
    public const int MaxGoal = 4095;

    /// <summary><c>halt</c> (torque_off), <c>halt_pose</c> (with pose: one goal per servo), <c>halt_confirm_ms</c> (100).</summary>
    public static ServoHaltPolicy From(DeviceSettings settings, int servos)
    {
        var mode = settings.Choice("halt", "torque_off", "torque_off", "hold", "pose") switch
        {
            "hold" => ServoHaltMode.Hold,
            "pose" => ServoHaltMode.Pose,
            _ => ServoHaltMode.TorqueOff,
        };
        var pose = settings.List("halt_pose");
        if (mode != ServoHaltMode.Pose && pose.Count > 0)
        {
            throw new DeviceSettingsException(settings.Field("halt_pose"), "is only for \"halt\": \"pose\"");
        }
        if (mode == ServoHaltMode.Pose && pose.Count != servos)
        {
            throw new DeviceSettingsException(settings.Field("halt_pose"),
                $"required with \"halt\": \"pose\": one goal per servo of ids ({servos}), got {pose.Count}");
        }
        int[] goals = [.. pose.Select(entry => entry.Value.ValueKind == System.Text.Json.JsonValueKind.Number && entry.Value.TryGetInt32(out int goal) && goal is >= 0 and <= MaxGoal
            ? goal
            : throw new DeviceSettingsException(entry.Field, $"must be a whole number from 0 to {MaxGoal} (a goal in the servo's steps)"))];
        // 100 ms: twenty 5 ms periods, room for a servo's retries on a noisy bus, short enough that an operator hears of it at once.
        var confirmWithin = TimeSpan.FromMilliseconds(settings.WholeNumber("halt_confirm_ms", 100, 1, 10_000));
        return new ServoHaltPolicy(mode, goals, confirmWithin);
    }

    /// <summary>What the mode does, for error texts: "torque off", "hold", "pose".</summary>
    public string Describe() => Mode switch
    {
        ServoHaltMode.Hold => "hold",
        ServoHaltMode.Pose => "pose",
        _ => "torque off",
    };
}
