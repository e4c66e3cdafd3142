using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Protos;
using Robotics.Protos.Control;

namespace Robotics.Trainer.Dagger;

/// <summary>What the remote expert did in a round.</summary>
/// <param name="TakeoversOnDrift">Takeovers because the robot left the expert's plan.</param>
/// <param name="TakeoversOnHelp">Takeovers because the robot asked for help.</param>
public sealed record ExpertTally(int TakeoversOnDrift, int TakeoversOnHelp)
{
    public int Takeovers => TakeoversOnDrift + TakeoversOnHelp;
}

/// <summary>
/// The scripted expert as a remote operator, over the robot's real gRPC interface: it watches every tick on
/// the telemetry stream and help requests on the events stream, and when its <see cref="InterventionGate"/>
/// says so takes the override lease (a Drive call of its own per intervention), commands the robot, and
/// releases it. It runs beside the loop as a person at a console would: the loop never waits for it.
/// </summary>
public sealed class RemoteExpert(GrpcChannel channel, InterventionGate gate, string name)
{
    private long _pendingHelpEpisode;
    private int _onDrift;
    private int _onHelp;

    /// <summary>Read once the expert's task has ended.</summary>
    public ExpertTally Tally => new(_onDrift, _onHelp);

    /// <summary>Opens both streams; returns once they are open, with the task that runs until <paramref name="stop"/>.</summary>
    public async Task<Task> StartAsync(Func<bool> subscribed, CancellationToken stop)
    {
        var telemetry = new Telemetry.TelemetryClient(channel);
        var frames = telemetry.Stream(new TelemetryRequest { Fields = { TelemetryField.Observation, TelemetryField.Policy } }, cancellationToken: stop);
        var events = telemetry.Events(new EventsRequest(), cancellationToken: stop);
        // The server has both subscriptions before the caller starts the loop: the expert sees the first tick.
        while (!subscribed())
        {
            await Task.Delay(5, stop);
        }
        return Task.WhenAll(WatchAsync(frames, stop), ListenForHelpAsync(events, stop));
    }

    private async Task ListenForHelpAsync(AsyncServerStreamingCall<Event> events, CancellationToken stop)
    {
        using (events)
        {
            try
            {
                while (await events.ResponseStream.MoveNext(stop))
                {
                    if (events.ResponseStream.Current.Kind == EventKind.HelpRequested)
                    {
                        Volatile.Write(ref _pendingHelpEpisode, (long)events.ResponseStream.Current.Episode);
                    }
                }
            }
            catch (RpcException) when (stop.IsCancellationRequested)
            {
                // The round is over.
            }
        }
    }

    private async Task WatchAsync(AsyncServerStreamingCall<TelemetryFrame> frames, CancellationToken stop)
    {
        Intervention? driving = null;
        using (frames)
        {
            try
            {
                while (await frames.ResponseStream.MoveNext(stop))
                {
                    var frame = frames.ResponseStream.Current;
                    bool help = Interlocked.CompareExchange(ref _pendingHelpEpisode, 0, (long)frame.Episode) == (long)frame.Episode && frame.Episode != 0;
                    var decision = gate.Observe(frame.Episode, frame.EpisodeTick, [.. frame.Observation], PolicyChoice(frame), help);
                    switch (decision)
                    {
                        case GateDecision.TakeOver:
                            if (help)
                            {
                                _onHelp++;
                            }
                            else
                            {
                                _onDrift++;
                            }
                            driving = await Intervention.BeginAsync(new Override.OverrideClient(channel), name, stop);
                            await driving.SendAsync(gate.Command, stop);
                            break;
                        case GateDecision.Drive when driving is not null:
                            await driving.SendAsync(gate.Command, stop);
                            break;
                        case GateDecision.HandBack when driving is not null:
                            await driving.EndAsync();
                            driving = null;
                            break;
                    }
                }
            }
            catch (RpcException) when (stop.IsCancellationRequested)
            {
                // The round is over.
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The round is over.
            }
            if (driving is not null)
            {
                await driving.EndAsync();
            }
        }
    }

    /// <summary>
    /// What the policy would do on the frame's tick, as its head says it: the Gaussian's mean, the mixture's likeliest
    /// component's mean, the categorical's logits; empty when no policy ran.
    /// </summary>
    private static float[] PolicyChoice(TelemetryFrame frame) => frame.PolicyCase switch
    {
        TelemetryFrame.PolicyOneofCase.Gaussian => [.. frame.Gaussian.Mean],
        TelemetryFrame.PolicyOneofCase.GaussianMixture => ModeMean(frame.GaussianMixture),
        TelemetryFrame.PolicyOneofCase.Categorical => [.. frame.Categorical.Logits],
        _ => [],
    };

    private static float[] ModeMean(GaussianMixturePolicy mixture)
    {
        int actions = mixture.Means.Count / mixture.Weights.Count;
        return [.. mixture.Means.Skip((int)mixture.Mode * actions).Take(actions)];
    }

    /// <summary>One takeover: a Drive call from TakeOver to Release.</summary>
    private sealed class Intervention(AsyncDuplexStreamingCall<OperatorMessage, ControllerMessage> call, Task released)
    {
        private ulong _sequence;

        public static async Task<Intervention> BeginAsync(Override.OverrideClient client, string name, CancellationToken stop)
        {
            var call = client.Drive(cancellationToken: stop);
            // The first command follows TakeOver without waiting for Granted: the loop holds the safe action
            // between the two, so every round trip saved is a tick of the robot not drifting.
            await call.RequestStream.WriteAsync(new OperatorMessage { TakeOver = new TakeOver { Operator = name } }, stop);
            return new Intervention(call, WaitForReleaseAsync(call.ResponseStream));
        }

        public async Task SendAsync(float[] action, CancellationToken stop)
        {
            var command = new Command { Sequence = ++_sequence, SentNs = (ulong)MonotonicClock.NowNs() };
            command.Action.AddRange(action);
            await call.RequestStream.WriteAsync(new OperatorMessage { Command = command }, stop);
        }

        public async Task EndAsync()
        {
            try
            {
                await call.RequestStream.WriteAsync(new OperatorMessage { Release = new Release() }, CancellationToken.None);
                await call.RequestStream.CompleteAsync();
                await released;
            }
            catch (RpcException)
            {
                // The server ended the call first (the round stopped): the lease is gone either way.
            }
            finally
            {
                call.Dispose();
            }
        }

        /// <summary>Reads the robot's replies (acknowledgements the expert does not need) until it confirms the release.</summary>
        private static async Task WaitForReleaseAsync(IAsyncStreamReader<ControllerMessage> replies)
        {
            while (await replies.MoveNext(CancellationToken.None) && replies.Current.MessageCase != ControllerMessage.MessageOneofCase.Released)
            {
            }
        }
    }
}
