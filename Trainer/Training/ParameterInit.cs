using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>
/// Initial weights as PyTorch's nn.Linear draws them (kaiming_uniform with a = √5, which works out to
/// U(−1/√fan_in, 1/√fan_in) for weights and biases alike), from a seeded generator: same seed, same network.
/// </summary>
public static class ParameterInit
{
    public static TrainingState Create(PolicyShape shape, int seed)
    {
        var state = TrainingState.Zeros(shape);
        var random = new Random(seed);
        var specs = shape.Parameters;
        for (int i = 0; i < specs.Count; i++)
        {
            long fanIn = specs[i].IsWeight ? specs[i].Dims[0] : specs[i - 1].Dims[0];
            double bound = 1 / Math.Sqrt(fanIn);
            var values = state.Parameters[i];
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = (float)((2 * random.NextDouble() - 1) * bound);
            }
        }
        return state;
    }
}
