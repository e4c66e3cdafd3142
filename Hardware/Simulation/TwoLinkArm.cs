namespace Robotics.Hardware.Simulation;

/// <summary>
/// A planar two-link arm moving in a horizontal plane (no gravity), links as uniform rods, with viscous joint
/// damping: M(q)·q̈ + C(q, q̇)·q̇ + b·q̇ = τ (the standard manipulator equations, e.g. Spong, Hutchinson and
/// Vidyasagar, Robot Modeling and Control, §7.4, specialized to two revolute joints).
/// </summary>
public static class TwoLinkArm
{
    /// <summary>Link lengths (m).</summary>
    public const double L1 = 0.5;
    /// <inheritdoc cref="L1"/>
    public const double L2 = 0.5;
    /// <summary>Link masses (kg).</summary>
    public const double M1 = 1.0;
    /// <inheritdoc cref="M1"/>
    public const double M2 = 1.0;
    /// <summary>Viscous joint damping (N·m·s/rad).</summary>
    public const double Damping = 0.1;

    private const double Lc1 = L1 / 2;
    private const double Lc2 = L2 / 2;
    private const double I1 = M1 * L1 * L1 / 12;
    private const double I2 = M2 * L2 * L2 / 12;

    /// <summary>The inertia matrix M(q) (symmetric: m11, m12, m22).</summary>
    public static (double M11, double M12, double M22) Inertia(double q2)
    {
        double c2 = Math.Cos(q2);
        double m22 = M2 * Lc2 * Lc2 + I2;
        double m12 = M2 * (Lc2 * Lc2 + L1 * Lc2 * c2) + I2;
        double m11 = M1 * Lc1 * Lc1 + M2 * (L1 * L1 + Lc2 * Lc2 + 2 * L1 * Lc2 * c2) + I1 + I2;
        return (m11, m12, m22);
    }

    /// <summary>Coriolis and centrifugal torques C(q, q̇)·q̇.</summary>
    public static (double C1, double C2) Coriolis(double q2, double dq1, double dq2)
    {
        double h = M2 * L1 * Lc2 * Math.Sin(q2);
        return (-h * (2 * dq1 * dq2 + dq2 * dq2), h * dq1 * dq1);
    }

    /// <summary>State [q1, q2, q̇1, q̇2] → its derivative under torques (τ1, τ2).</summary>
    public static void Derivative(ReadOnlySpan<double> s, Span<double> ds, double tau1, double tau2)
    {
        var (m11, m12, m22) = Inertia(s[1]);
        var (c1, c2) = Coriolis(s[1], s[2], s[3]);
        double r1 = tau1 - c1 - Damping * s[2];
        double r2 = tau2 - c2 - Damping * s[3];
        double det = m11 * m22 - m12 * m12;
        ds[0] = s[2];
        ds[1] = s[3];
        ds[2] = (m22 * r1 - m12 * r2) / det;
        ds[3] = (m11 * r2 - m12 * r1) / det;
    }

    /// <summary>End-effector position (forward kinematics).</summary>
    public static (double X, double Y) Tip(double q1, double q2) =>
        (L1 * Math.Cos(q1) + L2 * Math.Cos(q1 + q2), L1 * Math.Sin(q1) + L2 * Math.Sin(q1 + q2));

    /// <summary>End-effector velocity J(q)·q̇.</summary>
    public static (double Vx, double Vy) TipVelocity(double q1, double q2, double dq1, double dq2)
    {
        double s1 = Math.Sin(q1);
        double c1 = Math.Cos(q1);
        double s12 = Math.Sin(q1 + q2);
        double c12 = Math.Cos(q1 + q2);
        return (-L1 * s1 * dq1 - L2 * s12 * (dq1 + dq2), L1 * c1 * dq1 + L2 * c12 * (dq1 + dq2));
    }

    /// <summary>Inverse kinematics, elbow-down (q2 ≥ 0) solution; targets beyond reach are pulled onto its edge.</summary>
    public static (double Q1, double Q2) InverseKinematics(double x, double y)
    {
        double cosQ2 = Math.Clamp((x * x + y * y - L1 * L1 - L2 * L2) / (2 * L1 * L2), -1, 1);
        double q2 = Math.Acos(cosQ2);
        double q1 = Math.Atan2(y, x) - Math.Atan2(L2 * Math.Sin(q2), L1 + L2 * Math.Cos(q2));
        return (q1, q2);
    }

    /// <summary>Wraps an angle to (−π, π].</summary>
    public static double Wrap(double angle) => Math.IEEERemainder(angle, 2 * Math.PI);
}
