using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>
/// Initial weights as PyTorch's nn.Linear draws them (kaiming_uniform with a = √5, which works out to
/// U(−1/√fan_in, 1/√fan_in) for weights and biases alike), from a seeded generator: same seed, same network. An
/// ensemble's member k is drawn as a single network would be from its own seed (<see cref="MemberSeeds"/>).
/// </summary>
public static class ParameterInit
{
    public static TrainingState Create(PolicyShape shape, int seed)
    {
        var state = TrainingState.Zeros(shape);
        var specs = shape.Parameters;
        for (int member = 0; member < shape.EnsembleMembers; member++)
        {
            var random = new Random(MemberSeeds.Of(seed, member));
            for (int i = 0; i < specs.Count; i++)
            {
                // A weight is [.., in, out]; a bias takes its layer's weight's fan-in.
                long fanIn = specs[specs[i].IsWeight ? i : i - 1].Dims[^2];
                double bound = 1 / Math.Sqrt(fanIn);
                int count = specs[i].Count / shape.EnsembleMembers;
                var values = state.Parameters[i].AsSpan(member * count, count);
                for (int j = 0; j < values.Length; j++)
                {
                    values[j] = (float)((2 * random.NextDouble() - 1) * bound);
                }
            }
        }
        return state;
    }
}
