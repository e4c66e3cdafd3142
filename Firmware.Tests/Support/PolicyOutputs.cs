using Robotics.Controller.Policy;

namespace Robotics.Tests.Support;

/// <summary>What a policy file answers, through the controller's own runner: how tests tell two trained policies apart.</summary>
public static class PolicyOutputs
{
    /// <summary>The policy's outputs for each observation, one after another.</summary>
    public static float[] On(string policy, IEnumerable<float[]> observations)
    {
        using var runner = new PolicyRunner(policy);
        var outputs = new List<float>();
        foreach (var observation in observations)
        {
            runner.Infer(observation);
            outputs.AddRange(runner.Outputs);
        }
        return [.. outputs];
    }

    /// <summary>Observations of <paramref name="width"/> entries drawn from N(0, 1) with <paramref name="seed"/>.</summary>
    public static IEnumerable<float[]> Probes(int width, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, width).Select(_ => (float)SyntheticExperts.Normal(random)).ToArray())];
    }
}
