using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Simulation;

/// <summary>
/// <c>sim:cartpole</c>: keep a pole upright on a cart by pushing it left or right with a fixed force, the
/// classic task with Barto, Sutton and Anderson's (1983) dynamics and parameters (cart 1 kg, pole 0.1 kg,
/// half-length 0.5 m, force 10 N). Observations: cart position and velocity, pole angle and angular velocity.
/// Actions: one discrete choice, push left (0) or push right (1). Success: 10 s with the pole within 12° of
/// upright and the cart within 2.4 m of the centre; failure otherwise. The expert pushes in the direction of
/// an LQR controller's force.
/// </summary>
public sealed class CartPoleSimulation : SimulatedRobot
{
    public const double DefaultRateHz = 50;
    private const double Gravity = 9.8;
    private const double CartMass = 1.0;
    private const double PoleMass = 0.1;
    private const double HalfLength = 0.5;
    private const double Force = 10;
    private const double AngleLimit = 12 * Math.PI / 180;
    private const double PositionLimit = 2.4;
    private const double EpisodeSeconds = 10;

    private readonly double[] _state = new double[4];
    private readonly Rk4 _rk4 = new(4);
    private readonly Rk4.Derivative _dynamics;
    private readonly double[] _gain;
    private double _force;

    public CartPoleSimulation(double rateHz = DefaultRateHz, int seed = 0)
        : base(Describe(rateHz), seed)
    {
        _dynamics = (s, ds) => Derivative(s, ds, _force);
        _gain = LqrGain(1 / rateHz);
    }

    public override string TaskDescription => "balance the pole for 10 s";

    public override string ExpertName => "LQR expert";

    public static RobotDescription Describe(double rateHz)
    {
        long maxAge = (long)(3e9 / rateHz);
        return new RobotDescription("sim:cartpole", rateHz,
        [
            new ObservationSpec("cart_position", "m", maxAge),
            new ObservationSpec("cart_velocity", "m/s", maxAge),
            new ObservationSpec("pole_angle", "rad", maxAge),
            new ObservationSpec("pole_velocity", "rad/s", maxAge),
        ],
        [new ActionSpec("push", "index", 0, 1, float.PositiveInfinity, -1)],
        ["push_left", "push_right"]);
    }

    public override EpisodeStatus Evaluate(out string reason)
    {
        if (Math.Abs(_state[2]) > AngleLimit)
        {
            reason = "pole fell";
            return EpisodeStatus.Failure;
        }
        if (Math.Abs(_state[0]) > PositionLimit)
        {
            reason = "cart left the track";
            return EpisodeStatus.Failure;
        }
        if (EpisodeTicks * Dt >= EpisodeSeconds)
        {
            reason = "balanced for 10 s";
            return EpisodeStatus.Success;
        }
        reason = "";
        return EpisodeStatus.Running;
    }

    /// <summary>Push the way the LQR force u = −K·s points.</summary>
    public override void Act(ReadOnlySpan<float> observation, Span<float> action)
    {
        double u = 0;
        for (int i = 0; i < 4; i++)
        {
            u -= _gain[i] * observation[i];
        }
        action[0] = u > 0 ? 1 : 0;
    }

    public override string GoalErrorName => "pole angle from upright (rad)";

    /// <summary>A quarter of the angle at which the episode fails: the LQR expert keeps well within it.</summary>
    public override double GoalTolerance => AngleLimit / 4;

    public override double GoalError(ReadOnlySpan<float> observation) => Math.Abs(observation[2]);

    protected override void Reset()
    {
        for (int i = 0; i < 4; i++)
        {
            _state[i] = 0.1 * (Random.NextDouble() - 0.5);
        }
    }

    protected override void Observe(Span<float> observation)
    {
        for (int i = 0; i < 4; i++)
        {
            observation[i] = (float)_state[i];
        }
    }

    protected override void Load(ReadOnlySpan<float> observation)
    {
        for (int i = 0; i < 4; i++)
        {
            _state[i] = observation[i];
        }
    }

    protected override void Step(ReadOnlySpan<float> action)
    {
        _force = action[0] >= 0.5f ? Force : -Force;
        _rk4.Step(_state, Dt, _dynamics);
    }

    protected override void StepSafe()
    {
        _force = 0;
        _rk4.Step(_state, Dt, _dynamics);
    }

    /// <summary>The cart-pole equations of motion (Barto, Sutton and Anderson 1983; Florian 2007, eqs. 23–24 without friction).</summary>
    private static void Derivative(ReadOnlySpan<double> s, Span<double> ds, double force)
    {
        double total = CartMass + PoleMass;
        double sin = Math.Sin(s[2]);
        double cos = Math.Cos(s[2]);
        double temp = (force + PoleMass * HalfLength * s[3] * s[3] * sin) / total;
        double angular = (Gravity * sin - cos * temp) / (HalfLength * (4.0 / 3.0 - PoleMass * cos * cos / total));
        ds[0] = s[1];
        ds[1] = temp - PoleMass * HalfLength * angular * cos / total;
        ds[2] = s[3];
        ds[3] = angular;
    }

    /// <summary>
    /// Discrete-time LQR gain for the dynamics linearized upright and discretized with period
    /// <paramref name="dt"/>, by iterating the Riccati difference equation to its fixed point.
    /// Q = diag(1, 1, 10, 1) weighs the angle most; R = 0.1.
    /// </summary>
    private static double[] LqrGain(double dt)
    {
        double total = CartMass + PoleMass;
        double a = HalfLength * (4.0 / 3.0 - PoleMass / total);
        var A = new double[4, 4]
        {
            { 1, dt, 0, 0 },
            { 0, 1, -PoleMass * HalfLength * Gravity / (total * a) * dt, 0 },
            { 0, 0, 1, dt },
            { 0, 0, Gravity / a * dt, 1 },
        };
        double[] B = [0, (1 / total + PoleMass * HalfLength / (total * total * a)) * dt, 0, -1 / (total * a) * dt];
        double[] q = [1, 1, 10, 1];
        const double R = 0.1;
        var P = new double[4, 4];
        for (int i = 0; i < 4; i++)
        {
            P[i, i] = q[i];
        }
        var K = new double[4];
        for (int iteration = 0; iteration < 10_000; iteration++)
        {
            // K = (R + BᵀPB)⁻¹ BᵀPA;  P ← Q + AᵀPA − AᵀPB·K
            var pb = new double[4];
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    pb[i] += P[i, j] * B[j];
                }
            }
            double denominator = R;
            for (int i = 0; i < 4; i++)
            {
                denominator += B[i] * pb[i];
            }
            var bpa = new double[4];
            for (int j = 0; j < 4; j++)
            {
                for (int i = 0; i < 4; i++)
                {
                    bpa[j] += pb[i] * A[i, j];
                }
                K[j] = bpa[j] / denominator;
            }
            var next = new double[4, 4];
            double change = 0;
            double size = 0;
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double apa = 0;
                    for (int k = 0; k < 4; k++)
                    {
                        for (int l = 0; l < 4; l++)
                        {
                            apa += A[k, i] * P[k, l] * A[l, j];
                        }
                    }
                    // Computed once per pair and mirrored: P stays exactly symmetric, which the iteration
                    // needs to stay stable once it has converged.
                    next[i, j] = next[j, i] = (i == j ? q[i] : 0) + apa - bpa[i] * K[j];
                    change = Math.Max(change, Math.Abs(next[i, j] - P[i, j]));
                    size = Math.Max(size, Math.Abs(next[i, j]));
                }
            }
            P = next;
            if (change <= 1e-12 * size)
            {
                break;
            }
        }
        return K;
    }
}
