namespace Robotics.Hardware.Simulation;

/// <summary>One classical Runge–Kutta (RK4) step of ẋ = f(x), in place, with caller-owned scratch.</summary>
internal sealed class Rk4
{
    private readonly double[] _k1;
    private readonly double[] _k2;
    private readonly double[] _k3;
    private readonly double[] _k4;
    private readonly double[] _probe;

    public Rk4(int size)
    {
        _k1 = new double[size];
        _k2 = new double[size];
        _k3 = new double[size];
        _k4 = new double[size];
        _probe = new double[size];
    }

    /// <summary>Derivative of <c>state</c> into <c>derivative</c>.</summary>
    public delegate void Derivative(ReadOnlySpan<double> state, Span<double> derivative);

    public void Step(Span<double> state, double dt, Derivative f)
    {
        f(state, _k1);
        Probe(state, _k1, dt / 2);
        f(_probe, _k2);
        Probe(state, _k2, dt / 2);
        f(_probe, _k3);
        Probe(state, _k3, dt);
        f(_probe, _k4);
        for (int i = 0; i < state.Length; i++)
        {
            state[i] += dt / 6 * (_k1[i] + 2 * _k2[i] + 2 * _k3[i] + _k4[i]);
        }
    }

    private void Probe(ReadOnlySpan<double> state, double[] slope, double h)
    {
        for (int i = 0; i < state.Length; i++)
        {
            _probe[i] = state[i] + h * slope[i];
        }
    }
}
