using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using Robotics.Controller.Loop;
using Robotics.Controller.Recording;
using Robotics.Controller.Ticks;
using Robotics.Protos;
using Robotics.Protos.Log;

namespace Robotics.Controller.Gateway.Foxglove;

/// <summary>
/// One Foxglove client: serverInfo and the channels when it connects, then what it subscribes to. A receiving task
/// reads its requests and hands them to the sending loop, which alone writes to the socket (one send at a time, as a
/// WebSocket needs). Steps are read from the loop's tick ring at this client's own cursor, events from its own
/// drop-oldest queue: a client that reads slowly loses the oldest, and nothing it does reaches the loop.
/// </summary>
internal sealed class FoxgloveConnection(WebSocket socket, GatewaySession session, string sessionId)
{
    // As the gRPC telemetry streams: a 1 kHz loop's steps reach a client within a few ticks, without busy-waiting.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    // The status is for a person watching: once a second, as `controller telemetry` refreshes its line ten times as often.
    private static readonly long StatusPeriodNs = TimeSpan.FromSeconds(1).Ticks * 100;

    // A viewer that falls behind is told at most this often, with the steps it lost so far, under one status id.
    private static readonly long BehindPeriodNs = TimeSpan.FromSeconds(1).Ticks * 100;
    private const string BehindStatusId = "steps-dropped";

    // A client's requests are a few hundred bytes; anything far larger is not one.
    private const int MaxRequestBytes = 64 * 1024;

    private readonly Channel<FoxgloveRequest> _requests = Channel.CreateBounded<FoxgloveRequest>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Dictionary<uint, uint> _subscriptionByChannel = [];
    private readonly Step _step = new();
    private readonly long _unixOffsetNs = MonotonicClock.UnixOffsetNs();
    private byte[] _frame = new byte[1024];
    private TickCursor? _steps;
    private long? _lastStatusNs;
    private long? _lastBehindNs;
    private long _lostSteps;

    public async Task RunAsync(CancellationToken stopping)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, session.Link.Down);
        using var events = session.Events.Subscribe();
        var receiving = ReceiveAsync(stop);
        try
        {
            await SendTextAsync(FoxgloveProtocol.ServerInfo($"robot {session.Link.Descriptor.Robot}", sessionId), stop.Token);
            await SendTextAsync(FoxgloveProtocol.Advertise(FoxgloveChannels.All), stop.Token);
            using var timer = new PeriodicTimer(PollInterval);
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                while (_requests.Reader.TryRead(out var request))
                {
                    await ServeAsync(request, stop.Token);
                }
                await SendStepsAsync(stop.Token);
                await SendEventsAsync(events, stop.Token);
                await SendStatusAsync(stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client left, the gateway stops, or the robot is down: said below when the socket is still open.
        }
        await CloseAsync(stopping);
        await stop.CancelAsync();
        await receiving;
    }

    private async Task ServeAsync(FoxgloveRequest request, CancellationToken cancel)
    {
        if (request.Refusal is { } refusal)
        {
            await SendTextAsync(FoxgloveProtocol.Status(FoxgloveProtocol.Error, refusal), cancel);
        }
        foreach (var (id, channelId) in request.Subscribe)
        {
            // What the Foxglove SDK answers to the same mistakes (rust/foxglove/src/websocket/connected_client.rs).
            string? problem = FoxgloveChannels.All.All(c => c.Id != channelId) ? $"Unknown channel ID: {channelId}"
                : _subscriptionByChannel.ContainsKey(channelId) ? $"Client is already subscribed to channel: {channelId}; ignoring subscription"
                : _subscriptionByChannel.ContainsValue(id) ? $"Subscription ID was already used: {id}; ignoring subscription"
                : null;
            if (problem is not null)
            {
                await SendTextAsync(FoxgloveProtocol.Status(FoxgloveProtocol.Error, problem), cancel);
                continue;
            }
            _subscriptionByChannel[channelId] = id;
            if (channelId == FoxgloveChannels.Steps.Id)
            {
                _steps = new TickCursor(session.Link.Ticks, session.Link.Ticks.Published);
                _lostSteps = 0;
            }
        }
        foreach (uint id in request.Unsubscribe)
        {
            foreach (var (channelId, _) in _subscriptionByChannel.Where(pair => pair.Value == id).ToList())
            {
                _subscriptionByChannel.Remove(channelId);
            }
        }
    }

    private async Task SendStepsAsync(CancellationToken cancel)
    {
        if (!_subscriptionByChannel.TryGetValue(FoxgloveChannels.Steps.Id, out uint subscription))
        {
            _steps = null;
            return;
        }
        while (_steps!.TryRead())
        {
            if (_steps.Header.Kind != TickKind.Step)
            {
                continue;
            }
            StepMessage.Fill(_step, _steps);
            await SendMessageAsync(subscription, _step.TimestampNs, _step, cancel);
        }
        await WarnIfBehindAsync(cancel);
    }

    /// <summary>
    /// A Step carries no count of the steps before it that were dropped (unlike a gRPC telemetry frame), so a viewer
    /// whose cursor fell a ring behind is told in a warning, or its plots would join across the gap unexplained.
    /// </summary>
    private async Task WarnIfBehindAsync(CancellationToken cancel)
    {
        long now = MonotonicClock.NowNs();
        if (_steps!.Lost == _lostSteps || now - _lastBehindNs < BehindPeriodNs)
        {
            return;
        }
        _lostSteps = _steps.Lost;
        _lastBehindNs = now;
        await SendTextAsync(FoxgloveProtocol.Status(FoxgloveProtocol.Warning,
            $"This viewer fell behind the robot: {_lostSteps} steps of /step were dropped so far, the oldest first, so that the robot is never slowed", BehindStatusId), cancel);
    }

    private async Task SendEventsAsync(EventFanout.Subscription events, CancellationToken cancel)
    {
        while (events.Reader.TryRead(out var e))
        {
            if (_subscriptionByChannel.TryGetValue(FoxgloveChannels.Events.Id, out uint subscription))
            {
                await SendMessageAsync(subscription, (ulong)e.TimestampNs, EventMessages.ToProto(e, events.Dropped), cancel);
            }
        }
    }

    private async Task SendStatusAsync(CancellationToken cancel)
    {
        long now = MonotonicClock.NowNs();
        if (!_subscriptionByChannel.TryGetValue(FoxgloveChannels.Status.Id, out uint subscription) || now - _lastStatusNs < StatusPeriodNs)
        {
            return;
        }
        _lastStatusNs = now;
        await SendMessageAsync(subscription, (ulong)now, await StatusMessages.ReadAsync(session), cancel);
    }

    /// <summary>Message Data in one reused buffer: the log time is the message's monotonic time on the Unix clock, as the log stores it.</summary>
    private async Task SendMessageAsync(uint subscription, ulong monotonicNs, IMessage message, CancellationToken cancel)
    {
        int size = FoxgloveProtocol.MessageDataHeader + message.CalculateSize();
        if (_frame.Length < size)
        {
            _frame = new byte[Math.Max(size, _frame.Length * 2)];
        }
        FoxgloveProtocol.WriteMessageDataHeader(_frame, subscription, monotonicNs + (ulong)_unixOffsetNs);
        message.WriteTo(_frame.AsSpan(FoxgloveProtocol.MessageDataHeader, size - FoxgloveProtocol.MessageDataHeader));
        await socket.SendAsync(_frame.AsMemory(0, size), WebSocketMessageType.Binary, endOfMessage: true, cancel);
    }

    private Task SendTextAsync(byte[] json, CancellationToken cancel) =>
        socket.SendAsync(json.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancel).AsTask();

    /// <summary>Reads the client's requests until it closes; an oversized or binary message is refused with a status.</summary>
    private async Task ReceiveAsync(CancellationTokenSource stop)
    {
        var buffer = new byte[MaxRequestBytes];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                int length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(Math.Min(length, buffer.Length - 1)), stop.Token);
                    length = Math.Min(length + received.Count, buffer.Length);
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                _requests.Writer.TryWrite(received.MessageType == WebSocketMessageType.Binary
                    ? new FoxgloveRequest([], [], "Server does not support binary messages: it only publishes")
                    : length >= buffer.Length ? new FoxgloveRequest([], [], $"Invalid message: longer than {MaxRequestBytes} bytes")
                    : FoxgloveRequest.Parse(buffer.AsSpan(0, length)));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Stopping, or the connection broke.
        }
        await stop.CancelAsync();
    }

    /// <summary>Says why the stream ends when the robot went down, and closes the socket if it is still open.</summary>
    private async Task CloseAsync(CancellationToken stopping)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            if (session.Link.Down.IsCancellationRequested)
            {
                await SendTextAsync(FoxgloveProtocol.Status(FoxgloveProtocol.Error, session.Link.DownReason), grace.Token);
            }
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, stopping.IsCancellationRequested ? "the gateway stops" : "", grace.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client is gone already.
        }
    }
}
