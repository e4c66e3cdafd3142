using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Simulation;

/// <summary>
/// <c>sim:detour</c>: a point robot in the plane must get past a round obstacle to the goal behind it, and there are
/// two equally good ways: left or right. It starts at rest on the line through the obstacle's centre and the goal, so
/// nothing it observes says which way to go, and the scripted expert picks one at random each episode (then keeps to
/// the side it is on). A policy that fits one Gaussian to such demonstrations averages the two ways into one that
/// heads straight for the obstacle; a mixture gives each way its own component. Observations: position, velocity,
/// the obstacle's centre relative to the robot and its radius, the goal relative to the robot. Actions: a force
/// along x and y, at most 2 N on a 1 kg body with light drag. Success: within 3 cm of the goal moving slower than
/// 5 cm/s; failure: touching the obstacle, or 5 s without success.
/// </summary>
public sealed class DetourSimulation : SimulatedRobot
{
    public const double DefaultRateHz = 50;
    private const double ForceLimit = 2;
    // Drag per unit speed (N·s/m): enough that a coasting robot stops within a few seconds, as on a real floor.
    private const double Drag = 0.5;
    private const double SuccessDistance = 0.03;
    private const double SuccessSpeed = 0.05;
    private const double EpisodeSeconds = 5;
    // The expert passes the obstacle this far from its edge, cruises at this speed, brakes into the goal with this
    // position gain (1/s), and tracks its chosen velocity with this gain (1/s): a 0.2 s velocity time constant.
    private const double Clearance = 0.1;
    private const double CruiseSpeed = 0.6;
    private const double GoalGain = 3;
    private const double VelocityGain = 5;
    // Closer to the centre line than this, the expert's side is its coin toss; further, the side it is on.
    private const double CentreLine = 0.01;

    private double _x;
    private double _y;
    private double _vx;
    private double _vy;
    private double _obstacleY;
    private double _radius;
    private double _goalY;
    private double _fx;
    private double _fy;
    private double _side;

    public DetourSimulation(double rateHz = DefaultRateHz, int seed = 0)
        : base(Describe(rateHz), seed)
    {
    }

    public override string TaskDescription => "get past the obstacle, on either side, to the goal behind it";

    public override string ExpertName => "detour expert (left or right at random)";

    public static RobotDescription Describe(double rateHz)
    {
        long maxAge = (long)(3e9 / rateHz);
        return new RobotDescription("sim:detour", rateHz,
        [
            new ObservationSpec("x", "m", maxAge),
            new ObservationSpec("y", "m", maxAge),
            new ObservationSpec("x_velocity", "m/s", maxAge),
            new ObservationSpec("y_velocity", "m/s", maxAge),
            new ObservationSpec("obstacle_dx", "m", maxAge),
            new ObservationSpec("obstacle_dy", "m", maxAge),
            new ObservationSpec("obstacle_radius", "m", maxAge),
            new ObservationSpec("goal_dx", "m", maxAge),
            new ObservationSpec("goal_dy", "m", maxAge),
        ],
        [
            new ActionSpec("x_force", "N", -(float)ForceLimit, (float)ForceLimit, 100, 0),
            new ActionSpec("y_force", "N", -(float)ForceLimit, (float)ForceLimit, 100, 0),
        ]);
    }

    public override EpisodeStatus Evaluate(out string reason)
    {
        if (Distance(_x, _y - _obstacleY) < _radius)
        {
            reason = "hit the obstacle";
            return EpisodeStatus.Failure;
        }
        if (Distance(_x, _y - _goalY) < SuccessDistance && Distance(_vx, _vy) < SuccessSpeed)
        {
            reason = "goal reached";
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

    /// <summary>
    /// Cruise to a waypoint beside the obstacle (its centre's height, <see cref="Clearance"/> beyond its edge) on the
    /// chosen side, then brake into the goal; a velocity controller with drag compensation tracks the chosen velocity.
    /// </summary>
    public override void Act(ReadOnlySpan<float> observation, Span<float> action)
    {
        double vx = observation[2];
        double vy = observation[3];
        double obstacleDx = observation[4];
        double obstacleDy = observation[5];
        double radius = observation[6];
        double wantX;
        double wantY;
        if (obstacleDy > CentreLine)
        {
            // Still below the obstacle: the side the robot is on (its offset from the centre is −obstacle_dx), or the
            // coin toss while on the centre line.
            double side = Math.Abs(obstacleDx) > CentreLine ? -Math.Sign(obstacleDx) : _side;
            double toX = obstacleDx + side * (radius + Clearance);
            double length = Math.Max(Distance(toX, obstacleDy), 1e-9);
            wantX = CruiseSpeed * toX / length;
            wantY = CruiseSpeed * obstacleDy / length;
        }
        else
        {
            (wantX, wantY) = Limit(GoalGain * observation[7], GoalGain * observation[8], CruiseSpeed);
        }
        action[0] = (float)Math.Clamp(VelocityGain * (wantX - vx) + Drag * vx, -ForceLimit, ForceLimit);
        action[1] = (float)Math.Clamp(VelocityGain * (wantY - vy) + Drag * vy, -ForceLimit, ForceLimit);
    }

    public override string GoalErrorName => "distance to goal (m)";

    public override double GoalTolerance => SuccessDistance;

    public override double GoalError(ReadOnlySpan<float> observation) => Distance(observation[7], observation[8]);

    protected override void Reset()
    {
        _x = 0;
        _y = 0;
        _vx = 0;
        _vy = 0;
        _obstacleY = 0.45 + 0.1 * Random.NextDouble();
        _radius = 0.12 + 0.06 * Random.NextDouble();
        _goalY = 0.9 + 0.2 * Random.NextDouble();
        _side = Random.NextDouble() < 0.5 ? -1 : 1;
    }

    protected override void Observe(Span<float> observation)
    {
        observation[0] = (float)_x;
        observation[1] = (float)_y;
        observation[2] = (float)_vx;
        observation[3] = (float)_vy;
        observation[4] = (float)-_x;
        observation[5] = (float)(_obstacleY - _y);
        observation[6] = (float)_radius;
        observation[7] = (float)-_x;
        observation[8] = (float)(_goalY - _y);
    }

    protected override void Load(ReadOnlySpan<float> observation)
    {
        _x = observation[0];
        _y = observation[1];
        _vx = observation[2];
        _vy = observation[3];
        _obstacleY = observation[1] + observation[5];
        _radius = observation[6];
        _goalY = observation[1] + observation[8];
    }

    protected override void Step(ReadOnlySpan<float> action)
    {
        _fx = Math.Clamp(action[0], -ForceLimit, ForceLimit);
        _fy = Math.Clamp(action[1], -ForceLimit, ForceLimit);
        Integrate();
    }

    protected override void StepSafe()
    {
        _fx = 0;
        _fy = 0;
        Integrate();
    }

    /// <summary>Semi-implicit Euler on a 1 kg body with drag: exact enough at 50 Hz for dynamics this slow (time constant 2 s).</summary>
    private void Integrate()
    {
        _vx += (_fx - Drag * _vx) * Dt;
        _vy += (_fy - Drag * _vy) * Dt;
        _x += _vx * Dt;
        _y += _vy * Dt;
    }

    private static double Distance(double dx, double dy) => Math.Sqrt(dx * dx + dy * dy);

    private static (double X, double Y) Limit(double x, double y, double most)
    {
        double length = Distance(x, y);
        return length <= most ? (x, y) : (x * most / length, y * most / length);
    }
}
