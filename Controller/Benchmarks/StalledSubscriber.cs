using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Protos;
using Robotics.Protos.Control;

namespace Robotics.Controller.Benchmarks;

/// <summary>
/// The telemetry subscriber <c>bench grpc</c> puts against the gateway that opens its stream and never reads, in a
/// process of its own like every other client: once its HTTP/2 window (the smallest, 64 KB) fills, the server's writes
/// to it wait, as they would for a client on a dead link. At the end it reads at last, to see what the server did.
/// </summary>
public static class StalledSubscriber
{
    public static async Task<JsonObject> RunAsync(Uri address, string token, TimeSpan stalled, CancellationToken cancellation)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = 65535 },
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer " + token);
                return Task.CompletedTask;
            })),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        using var stream = new Telemetry.TelemetryClient(channel).Stream(new TelemetryRequest(), cancellationToken: cancellation);
        await Task.Delay(stalled, cancellation);
        return await OutcomeAsync(stream.ResponseStream);
    }

    /// <summary>
    /// Reads the stalled stream at last: past the frames that sat in its window, the server skipped to the newest ticks
    /// and says how many it dropped. Frames from ticks after the reading began mean the stream caught up with none
    /// dropped (a stall too short to fill the window). The server may instead have closed the connection of a client that
    /// took nothing for so long; that is said too.
    /// </summary>
    private static async Task<JsonObject> OutcomeAsync(IAsyncStreamReader<TelemetryFrame> stream)
    {
        // The loop stamps ticks with CLOCK_MONOTONIC, the clock of every process on the machine.
        ulong readingFrom = (ulong)MonotonicClock.NowNs();
        try
        {
            while (await stream.MoveNext(CancellationToken.None))
            {
                if (stream.Current.Dropped > 0)
                {
                    return new JsonObject { ["dropped"] = stream.Current.Dropped, ["closed_by_server"] = null };
                }
                if (stream.Current.TimestampNs > readingFrom)
                {
                    break;
                }
            }
            return new JsonObject { ["dropped"] = 0, ["closed_by_server"] = null };
        }
        catch (RpcException e)
        {
            return new JsonObject { ["dropped"] = null, ["closed_by_server"] = $"{e.StatusCode}: {e.Status.Detail}" };
        }
    }
}
