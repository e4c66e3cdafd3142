using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Simulation;

/// <summary>
/// <c>sim:lane</c>: a vehicle at a constant 1 m/s must stay in its lane on a winding road for 10 s by choosing its yaw
/// rate; the road's curvature is a sinusoid of random amplitude, wavelength and phase. Observations: the offset from
/// the lane's centre line and the heading relative to it, the curvature here, its rate along the road, and the road's
/// spatial frequency (which with the two before them give the road ahead). Action: yaw rate, at most 3 rad/s.
/// Failure: more than 25 cm off the centre line; success: 10 s in the lane. The expert starts within a centimetre and
/// a hundredth of a radian of the centre line and keeps it there, so its demonstrations show almost nothing of how to
/// come back from further off: the setting in which a cloned policy's small errors compound (Ross et al., 2011) and
/// corrections from the states the policy itself reaches (DAgger) teach what more demonstrations do not.
/// </summary>
public sealed class LaneSimulation : SimulatedRobot
{
    public const double DefaultRateHz = 20;
    private const double Speed = 1.5;
    private const double YawRateLimit = 3;
    private const double LaneHalfWidth = 0.15;
    private const double EpisodeSeconds = 30;
    private const double StartSpread = 0;
    // The expert: aim the heading back toward the centre line at atan(k·offset), k = 3/m, and reach that heading with
    // a 4/s yaw-rate gain, on top of the road's own turning (the curvature feed-forward).
    private const double OffsetGain = 3;
    private const double HeadingGain = 4;

    private double _offset;
    private double _heading;
    private double _amplitude;
    private double _frequency;
    private double _phase;

    public LaneSimulation(double rateHz = DefaultRateHz, int seed = 0)
        : base(Describe(rateHz), seed)
    {
    }

    public override string TaskDescription => "stay in the lane of a winding road for 10 s";

    public override string ExpertName => "lane-keeping expert";

    public static RobotDescription Describe(double rateHz)
    {
        long maxAge = (long)(3e9 / rateHz);
        return new RobotDescription("sim:lane", rateHz,
        [
            new ObservationSpec("lateral_offset", "m", maxAge),
            new ObservationSpec("heading_error", "rad", maxAge),
            new ObservationSpec("curvature", "1/m", maxAge),
            new ObservationSpec("curvature_rate", "1/m^2", maxAge),
            new ObservationSpec("road_frequency", "rad/m", maxAge),
        ],
        [new ActionSpec("yaw_rate", "rad/s", -(float)YawRateLimit, (float)YawRateLimit, 60, 0)]);
    }

    public override EpisodeStatus Evaluate(out string reason)
    {
        if (Math.Abs(_offset) > LaneHalfWidth)
        {
            reason = "left the lane";
            return EpisodeStatus.Failure;
        }
        if (EpisodeTicks * Dt >= EpisodeSeconds)
        {
            reason = "stayed in the lane";
            return EpisodeStatus.Success;
        }
        reason = "";
        return EpisodeStatus.Running;
    }

    /// <summary>ω = κ·v·cos ψ/(1 − κ·d) + k_ψ·(−atan(k·d) − ψ): the road's turning, plus steering back to the centre line.</summary>
    public override void Act(ReadOnlySpan<float> observation, Span<float> action)
    {
        double offset = observation[0];
        double heading = observation[1];
        double curvature = observation[2];
        double turning = curvature * Speed * Math.Cos(heading) / (1 - curvature * offset);
        action[0] = (float)Math.Clamp(turning + HeadingGain * (-Math.Atan(OffsetGain * offset) - heading), -YawRateLimit, YawRateLimit);
    }

    public override string GoalErrorName => "offset from the lane's centre line (m)";

    /// <summary>
    /// 2 cm, an offset a driver notices: the DAgger expert takes over at this much drift from its plan. A cloned policy
    /// that has learned no way back leaves the lane within a second or two of starting (13–37 ticks in the measured
    /// runs), so a later takeover (at 5 cm, a third of the half width) often came after the lane was already lost, and
    /// taught a handful of steps.
    /// </summary>
    public override double GoalTolerance => 0.02;

    public override double GoalError(ReadOnlySpan<float> observation) => Math.Abs(observation[0]);

    protected override void Reset()
    {
        _offset = StartSpread * (2 * Random.NextDouble() - 1);
        _heading = StartSpread * (2 * Random.NextDouble() - 1);
        _amplitude = 0.5 + 0.5 * Random.NextDouble();
        _frequency = 1 + Random.NextDouble();
        _phase = 2 * Math.PI * Random.NextDouble();
    }

    protected override void Observe(Span<float> observation)
    {
        observation[0] = (float)_offset;
        observation[1] = (float)_heading;
        observation[2] = (float)(_amplitude * Math.Sin(_phase));
        observation[3] = (float)(_amplitude * _frequency * Math.Cos(_phase));
        observation[4] = (float)_frequency;
    }

    /// <summary>κ = A·sin φ and κ' = A·ω·cos φ give the amplitude and phase back: the road ahead is the observation's.</summary>
    protected override void Load(ReadOnlySpan<float> observation)
    {
        _offset = observation[0];
        _heading = observation[1];
        _frequency = observation[4];
        double sine = observation[2];
        double cosine = observation[3] / _frequency;
        _amplitude = Math.Sqrt(sine * sine + cosine * cosine);
        _phase = Math.Atan2(sine, cosine);
    }

    protected override void Step(ReadOnlySpan<float> action) => Integrate(Math.Clamp(action[0], -YawRateLimit, YawRateLimit));

    /// <summary>The safe action holds the steering straight: the vehicle coasts on, as a car whose controller let go.</summary>
    protected override void StepSafe() => Integrate(0);

    /// <summary>
    /// The vehicle in the road's frame (arc length s, offset d, heading ψ): ds/dt = v·cos ψ/(1 − κ·d), dd/dt = v·sin ψ,
    /// dψ/dt = ω − κ·ds/dt. Forward Euler at the control rate: the road's curvature changes over metres, a step is 5 cm.
    /// </summary>
    private void Integrate(double yawRate)
    {
        double curvature = _amplitude * Math.Sin(_phase);
        double along = Speed * Math.Cos(_heading) / (1 - curvature * _offset);
        _offset += Speed * Math.Sin(_heading) * Dt;
        _heading += (yawRate - curvature * along) * Dt;
        _phase += _frequency * along * Dt;
    }
}
