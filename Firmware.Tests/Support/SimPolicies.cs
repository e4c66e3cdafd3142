using Robotics.Controller.Loop;
using Robotics.Controller.Recording;
using Robotics.Hardware.Simulation;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Data;
using Robotics.Trainer.Export;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Support;

/// <summary>
/// Small real policies for the simulators, made the way a user makes them: the scripted expert drives the
/// controller loop in teleop mode and records, the trainer trains on the log and exports. Made once per test
/// run (they take a few seconds), shared by every test that needs one.
/// </summary>
public sealed class SimPolicies : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Lazy<string> _reach;
    private readonly Lazy<string> _cartpole;
    private readonly Lazy<string> _detour;
    private readonly Lazy<string> _reachEnsemble;

    public SimPolicies()
    {
        _reach = new(() => Make("sim:reach", episodes: 40, Training));
        _cartpole = new(() => Make("sim:cartpole", episodes: 10, Training));
        // A mixture needs more steps than these few epochs to split the detour's two ways apart.
        _detour = new(() => Make("sim:detour", episodes: 40, Training with { Kind = new GaussianMixtureHead(), Epochs = 60, LearningRate = 3e-3 }));
        _reachEnsemble = new(() => Make("sim:reach", episodes: 40, Training with { EnsembleMembers = 5 }, "sim-reach-ensemble"));
    }

    public string Reach => _reach.Value;

    public string CartPole => _cartpole.Value;

    /// <summary>A Gaussian-mixture policy for sim:detour, whose expert passes the obstacle on either side.</summary>
    public string Detour => _detour.Value;

    /// <summary>A five-network Gaussian ensemble for sim:reach, trained as <see cref="Reach"/> is.</summary>
    public string ReachEnsemble => _reachEnsemble.Value;

    /// <summary>Small and quick: a few seconds per policy.</summary>
    private static TrainingConfig Training => new() { Hidden = [64, 64], Epochs = 15, BatchSize = 128, LearningRate = 1e-3, Threads = 1, Patience = 0 };

    /// <summary>Records <paramref name="episodes"/> teleop episodes of <paramref name="robot"/> into a new log.</summary>
    /// <param name="operator">The name the scripted expert drives under; null for its own.</param>
    public static void Record(string robot, string path, int episodes, int seed, string? @operator = null)
    {
        using var hardware = Simulators.Create(robot, Simulators.DefaultRate(robot), seed);
        var options = new LoopOptions
        {
            RateHz = hardware.Description.RateHz,
            Mode = ControlMode.Teleop,
            MaxEpisodes = episodes,
            Paced = false,
            Realtime = false,
        };
        using var recorder = TickRecorder.Create(path, hardware.Description.ToEpisodeInfo(options.RateHz, "", ""), new TeleopLogWriterOptions { SyncEachChunk = false });
        IOperator expert = new ScriptedOperator(hardware);
        using var loop = new ControlLoop(hardware, options, null, @operator is null ? expert : new RenamedOperator(expert, @operator), recorder);
        loop.Start();
        loop.WaitForExit();
    }

    public void Dispose() => _directory.Dispose();

    private string Make(string robot, int episodes, TrainingConfig config, string? name = null)
    {
        name ??= robot.Replace(':', '-');
        string log = _directory.File(name + ".mcap");
        Record(robot, log, episodes, seed: 11);
        var data = TrainingData.Split(DemonstrationLoader.Load([log], new DemonstrationFilter { Kind = config.Kind }), config.ValidationFraction, config.Seed, config.StdFloor);
        using var run = new TrainingRun(data, config);
        var result = run.Run(new RunFolder(_directory.File(name + ".run")), ITrainingProgress.None);
        string policy = _directory.File(name + ".onnx");
        PolicyExporter.Write(policy, PolicyExporter.Build(data, config, result));
        return policy;
    }
}

/// <summary>
/// Tests that run control loops share the policies, and run one at a time after the parallel tests: some
/// assert zero allocation per tick, which <see cref="AllocationMeasurements"/> explains.
/// </summary>
[CollectionDefinition(nameof(SimPolicies), DisableParallelization = true)]
public sealed class SimPoliciesGroup : ICollectionFixture<SimPolicies>;

/// <summary>
/// Tests that assert a thread allocates nothing, run one at a time after the parallel tests, so that what they
/// measure is the code under test and not a machine made slow by other tests (a late servo answer is a retry, and
/// a retry throws: DeviceThreadAllocationTests says more). Each window starts with ThreadAllocations.StartWindow:
/// without it, a collection during the window could count the unused end of the thread's allocation context.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "allocation measurements";
}
