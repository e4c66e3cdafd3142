namespace Robotics.Controller.Recording;

/// <summary>What the run does when its recording fails (a full disk, a device gone).</summary>
public enum RecordingFailureAction
{
    /// <summary>
    /// The robot goes on as it was (its task, or the operator's control), unrecorded; the failure is told at once
    /// and every step from then on is counted as dropped. The default: a logger's failure changes nothing the robot
    /// does unless asked, and a robot stopped mid-motion (an arm whose torque goes off under a load) is a hazard of
    /// its own.
    /// </summary>
    Continue,

    /// <summary>The run stops as a signal would stop it (the episode ended "recording failed", the robot made safe).</summary>
    Stop,
}
