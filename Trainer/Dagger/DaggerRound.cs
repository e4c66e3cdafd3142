using System.Security.Cryptography;
using Robotics.Controller.Control;
using Robotics.Controller.Gateway;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Recording;
using Robotics.Controller.Policy;
using Robotics.Controller.Remote;
using Robotics.Hardware.Simulation;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Evaluation;

namespace Robotics.Trainer.Dagger;

/// <summary>One DAgger round's episodes: what the robot did, and what the expert did about it.</summary>
public sealed record RoundEpisodes(EvaluationResult Episodes, ExpertTally Expert);

/// <summary>
/// One round of human-gated DAgger on a simulator: the policy drives in the controller runtime, paced in
/// wall-clock time (faster than real time by <c>timeScale</c>) with its gRPC server on loopback, and the
/// scripted expert watches and takes over as a remote operator through the override stream. Every tick is
/// recorded; the expert's ticks carry source override and the intervention flag, the labels training adds.
/// </summary>
public static class DaggerRound
{
    public static async Task<RoundEpisodes> RunAsync(string robot, string policyPath, int episodes, int seed, double timeScale, GateOptions gateOptions,
        string logPath, CancellationToken cancellation)
    {
        using var policy = new PolicyRunner(policyPath);
        var metadata = policy.Metadata;
        double rate = metadata.ControlRateHz;
        using var simulation = Simulators.Create(robot, rate, seed);
        using var model = Simulators.Create(robot, rate, seed);
        var options = new LoopOptions
        {
            RateHz = rate,
            Mode = ControlMode.Autonomous,
            MaxEpisodes = episodes,
            Realtime = false,
            TimeScale = timeScale,
            Seed = seed,
            // The round's clock runs faster than the robot's: the staleness window counts robot time.
            OverrideStaleAfter = TimeSpan.FromMilliseconds(200 / timeScale),
        };
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var gate = new InterventionGate(model, gateOptions, metadata.ActionStd, metadata.Head.ActsDiscretely);
        RemoteExpert expert;
        using (var recorder = TickRecorder.Create(logPath, simulation.Description.ToEpisodeInfo(rate, simulation.TaskDescription, "")))
        using (var segments = LoopLink.CreateSegments(LinkPaths.Unique(), simulation.Description, options, policy))
        using (var loop = new ControlLoop(simulation, options, policy, null, recorder, segments))
        using (var hub = new EventHub(loop))
        {
            await using var plane = new ControlPlane(loop, hub);
            // A simulation: the gateway serves from this process, through the same link a robot's gateway process uses.
            await using var gateway = await InProcessGateway.StartAsync(loop, plane, hub, segments, new ServerOptions { Url = new Uri("http://127.0.0.1:0"), Token = token });
            var server = gateway.Server;
            using var channel = RemoteChannel.Open(server.Address.ToString(), token, null);
            expert = new RemoteExpert(channel, gate, model.ExpertName);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var watching = await expert.StartAsync(() => server.Session.TelemetrySubscribers > 0 && hub.Subscribers > 0, stop.Token);
            loop.Start();
            await Task.Run(loop.WaitForExit, cancellation);
            await stop.CancelAsync();
            await watching;
        }
        string driver = $"{Path.GetFileName(policyPath)} with {model.ExpertName} over gRPC";
        return new RoundEpisodes(
            new EvaluationResult(driver, robot, seed, simulation.GoalErrorName, EpisodeFigures.FromLog(logPath, simulation), logPath),
            expert.Tally);
    }
}
