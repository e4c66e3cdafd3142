namespace Robotics.Controller.Loop;

/// <summary>Who drives the robot.</summary>
public enum ControlMode
{
    /// <summary>The policy acts.</summary>
    Autonomous,
    /// <summary>An operator acts (the scripted expert on a simulator; a remote operator over gRPC).</summary>
    Teleop,
    /// <summary>The operator acts while the policy runs beside it and is recorded: a dry run of the policy.</summary>
    Shadow,
}
