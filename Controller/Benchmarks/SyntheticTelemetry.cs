namespace Robotics.Controller.Benchmarks;

/// <summary>
/// Robot-like vectors for benchmarks: each entry a slow sinusoid in [-1, 1] (0.1-2 Hz, like joint
/// trajectories) plus one step of noise, optionally quantized like an encoder or ADC reading, precomputed
/// into a table so the measured loop only slices it. Pure noise would not compress and constants would
/// compress absurdly well; real telemetry sits between.
/// </summary>
public sealed class SyntheticTelemetry
{
    private const int Rows = 4096;
    private readonly float[] _table;

    /// <param name="levels">Quantization levels over [-1, 1] (4096 for a 12-bit sensor), or 0 for full float precision.</param>
    public SyntheticTelemetry(int width, double rateHz, int seed, int levels)
    {
        Width = width;
        _table = new float[Rows * width];
        var random = new Random(seed);
        var frequencies = new double[width];
        var phases = new double[width];
        for (int column = 0; column < width; column++)
        {
            frequencies[column] = 0.1 + 1.9 * random.NextDouble();
            phases[column] = 2 * Math.PI * random.NextDouble();
        }
        for (int row = 0; row < Rows; row++)
        {
            double t = row / rateHz;
            for (int column = 0; column < width; column++)
            {
                double step = levels > 0 ? 2.0 / levels : 1e-3;
                double value = Math.Sin(2 * Math.PI * frequencies[column] * t + phases[column]) + step * (random.NextDouble() - 0.5);
                _table[row * width + column] = (float)(levels > 0 ? Math.Round(value / step) * step : value);
            }
        }
    }

    public int Width { get; }

    /// <summary>The vector for tick <paramref name="tick"/> (the table repeats every 4096 ticks).</summary>
    public ReadOnlySpan<float> Row(long tick) => _table.AsSpan((int)(tick % Rows) * Width, Width);
}
