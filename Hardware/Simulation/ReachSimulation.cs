using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Simulation;

/// <summary>
/// <c>sim:reach</c>: a two-link planar arm under torque control must bring its tip to a random target and
/// hold it there. Observations: joint angles, joint velocities, target position, and each joint's angle to
/// the target's inverse-kinematics solution (what a reaching controller on a real arm computes from the
/// target and its encoders; without it a policy must learn inverse kinematics from a handful of targets,
/// one per demonstration, and does not). Actions: two joint torques,
/// limited to ±3 N·m. Success: the tip within 2 cm of the target moving slower than 5 cm/s; failure: 3 s
/// without it. Small errors compound near the target, which is where plain BC drifts and DAgger helps.
/// </summary>
public sealed class ReachSimulation : SimulatedRobot
{
    public const double DefaultRateHz = 100;
    private const double TorqueLimit = 3;
    private const double SuccessDistance = 0.02;
    private const double SuccessSpeed = 0.05;
    private const double EpisodeSeconds = 3;
    // Expert gains: ωn = 10 rad/s, ζ = 1 in joint space (Kp = ωn², Kd = 2ζωn).
    private const double Kp = 100;
    private const double Kd = 20;

    private readonly double[] _state = new double[4];
    private readonly Rk4 _rk4 = new(4);
    private readonly Rk4.Derivative _dynamics;
    private double _tau1;
    private double _tau2;
    private double _targetX;
    private double _targetY;

    public ReachSimulation(double rateHz = DefaultRateHz, int seed = 0)
        : base(Describe(rateHz), seed) => _dynamics = (s, ds) => TwoLinkArm.Derivative(s, ds, _tau1, _tau2);

    public override string TaskDescription => "reach a random target with the arm's tip and hold it";

    public override string ExpertName => "computed-torque expert";

    public static RobotDescription Describe(double rateHz)
    {
        long maxAge = (long)(3e9 / rateHz);
        return new RobotDescription("sim:reach", rateHz,
        [
            new ObservationSpec("shoulder_angle", "rad", maxAge),
            new ObservationSpec("elbow_angle", "rad", maxAge),
            new ObservationSpec("shoulder_velocity", "rad/s", maxAge),
            new ObservationSpec("elbow_velocity", "rad/s", maxAge),
            new ObservationSpec("target_x", "m", maxAge),
            new ObservationSpec("target_y", "m", maxAge),
            new ObservationSpec("shoulder_to_goal", "rad", maxAge),
            new ObservationSpec("elbow_to_goal", "rad", maxAge),
        ],
        [
            new ActionSpec("shoulder_torque", "N*m", -(float)TorqueLimit, (float)TorqueLimit, 200, 0),
            new ActionSpec("elbow_torque", "N*m", -(float)TorqueLimit, (float)TorqueLimit, 200, 0),
        ]);
    }

    public override EpisodeStatus Evaluate(out string reason)
    {
        var (x, y) = TwoLinkArm.Tip(_state[0], _state[1]);
        var (vx, vy) = TwoLinkArm.TipVelocity(_state[0], _state[1], _state[2], _state[3]);
        if (Math.Sqrt((x - _targetX) * (x - _targetX) + (y - _targetY) * (y - _targetY)) < SuccessDistance &&
            Math.Sqrt(vx * vx + vy * vy) < SuccessSpeed)
        {
            reason = "target reached";
            return EpisodeStatus.Success;
        }
        if (EpisodeTicks * Dt >= EpisodeSeconds)
        {
            reason = "timeout";
            return EpisodeStatus.Failure;
        }
        reason = "";
        return EpisodeStatus.Running;
    }

    /// <summary>Computed torque to the inverse-kinematics solution: τ = M(q)(Kp·e − Kd·q̇) + C(q, q̇)q̇ + b·q̇, e the angles to the goal.</summary>
    public override void Act(ReadOnlySpan<float> observation, Span<float> action)
    {
        double q1 = observation[0];
        double q2 = observation[1];
        double dq1 = observation[2];
        double dq2 = observation[3];
        double a1 = Kp * observation[6] - Kd * dq1;
        double a2 = Kp * observation[7] - Kd * dq2;
        var (m11, m12, m22) = TwoLinkArm.Inertia(q2);
        var (c1, c2) = TwoLinkArm.Coriolis(q2, dq1, dq2);
        action[0] = (float)Math.Clamp(m11 * a1 + m12 * a2 + c1 + TwoLinkArm.Damping * dq1, -TorqueLimit, TorqueLimit);
        action[1] = (float)Math.Clamp(m12 * a1 + m22 * a2 + c2 + TwoLinkArm.Damping * dq2, -TorqueLimit, TorqueLimit);
    }

    public override string GoalErrorName => "tip distance to target (m)";

    public override double GoalTolerance => SuccessDistance;

    public override double GoalError(ReadOnlySpan<float> observation)
    {
        var (x, y) = TwoLinkArm.Tip(observation[0], observation[1]);
        return Math.Sqrt((x - observation[4]) * (x - observation[4]) + (y - observation[5]) * (y - observation[5]));
    }

    /// <summary>
    /// Shoves the arm: adds to the joint velocities (rad/s) before the next step, as a bump or a person would.
    /// For demonstrating recovery and help requests. Not thread-safe with the loop's ticks on purpose: call it
    /// between episodes or accept a one-tick race.
    /// </summary>
    public void Push(double shoulderVelocity, double elbowVelocity)
    {
        _state[2] += shoulderVelocity;
        _state[3] += elbowVelocity;
    }

    protected override void Reset()
    {
        _state[0] = (2 * Random.NextDouble() - 1) * Math.PI;
        _state[1] = 0.3 + 2.2 * Random.NextDouble();
        _state[2] = 0;
        _state[3] = 0;
        // Targets in the annulus the tip reaches comfortably: 0.3 m to 0.9 m from the shoulder.
        double radius = 0.3 + 0.6 * Random.NextDouble();
        double angle = (2 * Random.NextDouble() - 1) * Math.PI;
        _targetX = radius * Math.Cos(angle);
        _targetY = radius * Math.Sin(angle);
    }

    protected override void Observe(Span<float> observation)
    {
        observation[0] = (float)TwoLinkArm.Wrap(_state[0]);
        observation[1] = (float)TwoLinkArm.Wrap(_state[1]);
        observation[2] = (float)_state[2];
        observation[3] = (float)_state[3];
        observation[4] = (float)_targetX;
        observation[5] = (float)_targetY;
        var (goal1, goal2) = TwoLinkArm.InverseKinematics(_targetX, _targetY);
        observation[6] = (float)TwoLinkArm.Wrap(goal1 - _state[0]);
        observation[7] = (float)TwoLinkArm.Wrap(goal2 - _state[1]);
    }

    protected override void Load(ReadOnlySpan<float> observation)
    {
        for (int i = 0; i < 4; i++)
        {
            _state[i] = observation[i];
        }
        _targetX = observation[4];
        _targetY = observation[5];
    }

    protected override void Step(ReadOnlySpan<float> action)
    {
        _tau1 = Math.Clamp(action[0], -TorqueLimit, TorqueLimit);
        _tau2 = Math.Clamp(action[1], -TorqueLimit, TorqueLimit);
        _rk4.Step(_state, Dt, _dynamics);
    }

    protected override void StepSafe()
    {
        _tau1 = 0;
        _tau2 = 0;
        _rk4.Step(_state, Dt, _dynamics);
    }
}
