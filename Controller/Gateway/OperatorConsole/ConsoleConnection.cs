using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Robotics.Protos.Control;
using ControlDescriptor = Robotics.Protos.Control.Control;
using OverrideDescriptor = Robotics.Protos.Control.Override;
using TelemetryDescriptor = Robotics.Protos.Control.Telemetry;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Gateway.OperatorConsole;

/// <summary>
/// One browser tab: a WebSocket carrying JSON (<see cref="ConsoleJson"/>). The tab says hello with the robot's token
/// (or none, to watch a robot whose telemetry is open); the connection then streams telemetry (decimated to what a
/// browser draws), events and the status, and bridges the tab's control calls and override session to the robot's
/// gRPC services (<see cref="BridgedCallContext"/>): the same service code, lease and checks as a gRPC client, the token
/// checked on every call. One loop alone sends, since a WebSocket allows one send at a time.
/// </summary>
internal sealed class ConsoleConnection(WebSocket socket, GatewaySession session, string peer)
{
    /// <summary>Telemetry frames a second: what a browser draws smoothly, a small fraction of a 1 kHz loop's ticks.</summary>
    public const double FrameRateHz = 30;

    // The status (rate, lateness, devices) changes slowly; twice a second keeps the page current without chatter.
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(500);

    // A tab that opens the socket but never says hello is not a console.
    private static readonly TimeSpan HelloPatience = TimeSpan.FromSeconds(30);

    // How long a tab has to take its last messages and answer the close.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    // The console's messages are a few hundred bytes; anything far larger is not one.
    private const int MaxMessageBytes = 16 * 1024;

    private static readonly string StreamMethod = MethodPath(TelemetryDescriptor.Descriptor, "Stream");
    private static readonly string StatusMethod = MethodPath(TelemetryDescriptor.Descriptor, "GetStatus");
    private static readonly string EventsMethod = MethodPath(TelemetryDescriptor.Descriptor, "Events");
    private static readonly string DriveMethod = MethodPath(OverrideDescriptor.Descriptor, "Drive");

    // Only the newest frames matter to a plot; every other message (events, replies, acks) is kept, up to a bound.
    private readonly Channel<byte[]> _frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(2) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Channel<byte[]> _messages = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly ControlService _control = new(session);
    private string? _authorization;
    private Channel<OperatorMessage>? _drive;

    public async Task RunAsync(CancellationToken stopping)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, session.Link.Down);
        var buffer = new byte[MaxMessageBytes];
        if (!await GreetAsync(buffer, stop.Token))
        {
            return;
        }
        // Sending outlives the streams by the little it takes to say goodbye; a tab that stopped reading is abandoned.
        using var abandon = new CancellationTokenSource();
        var sending = SendAllAsync(abandon.Token);
        Task[] streams = [StreamTelemetryAsync(stop.Token), StreamEventsAsync(stop.Token), StreamStatusAsync(stop.Token)];
        // Receiving is never cancelled (that would abort the socket before the close handshake): it ends when the tab
        // closes, or when the socket is aborted below.
        var receiving = ReceiveAllAsync(buffer, request => Dispatch(request, stop.Token));
        await Task.WhenAny(receiving, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        _drive?.Writer.TryComplete();
        await stop.CancelAsync();
        await Task.WhenAll(streams);
        if (session.Link.Down.IsCancellationRequested)
        {
            Post(ConsoleJson.Message("down", more: json => json.WriteString("message", session.Link.DownReason)));
        }
        _messages.Writer.TryComplete();
        abandon.CancelAfter(CloseGrace);
        await sending;
        await CloseAsync(receiving, stopping.IsCancellationRequested ? "the gateway stops" : "");
    }

    private async Task ReceiveAllAsync(byte[] buffer, Action<JsonElement> handle)
    {
        try
        {
            while (await ReceiveAsync(buffer, CancellationToken.None) is { } request)
            {
                handle(request);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The connection broke, or was aborted after its close went unanswered.
        }
    }

    /// <summary>
    /// The first message must be {"op":"hello","token":...}. A wrong token is refused outright (a tab that typed it
    /// wrong asks again); no token watches, where the robot lets anyone watch.
    /// </summary>
    private async Task<bool> GreetAsync(byte[] buffer, CancellationToken cancel)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        patience.CancelAfter(HelloPatience);
        JsonElement? hello;
        try
        {
            hello = await ReceiveAsync(buffer, patience.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            return false;
        }
        string? token = hello is { } h && h.TryGetProperty("op", out var op) && op.ValueKind == JsonValueKind.String && op.GetString() == "hello"
            ? h.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : ""
            : null;
        string? refusal = token is null ? "the console's first message must be {\"op\":\"hello\",\"token\":\"...\"}"
            : token.Length > 0 && !session.Access.IsToken(token) ? "wrong token"
            : token.Length == 0 && !session.Access.IsOpen(StreamMethod) ? "this robot shows its telemetry only with its token"
            : null;
        if (refusal is not null)
        {
            await SendNowAsync(ConsoleJson.Message("refused", more: json => json.WriteString("message", refusal)), cancel);
            // Whatever a refused tab still sends is read and dropped until it answers the close.
            await CloseAsync(ReceiveAllAsync(buffer, _ => { }), refusal, WebSocketCloseStatus.PolicyViolation);
            return false;
        }
        _authorization = token!.Length > 0 ? $"Bearer {token}" : null;
        await SendNowAsync(ConsoleJson.Message("welcome", "robot", session.Link.Descriptor, json =>
        {
            json.WriteBoolean("control", _authorization is not null);
            json.WriteNumber("frameRateHz", FrameRateHz);
        }), cancel);
        return true;
    }

    private void Dispatch(JsonElement request, CancellationToken cancel)
    {
        string? op = request.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
        switch (op)
        {
            case "call":
                _ = CallAsync(request, cancel);
                break;
            case "drive":
                Drive(request, cancel);
                break;
            default:
                Post(ConsoleJson.Error("error", StatusCode.InvalidArgument, op is null ? "a message needs an \"op\"" : $"unknown op \"{op}\": call, drive"));
                break;
        }
    }

    /// <summary>{"op":"call","id":N,"method":"SetMode","request":{...}}: one Control call, answered by a reply with the id.</summary>
    private async Task CallAsync(JsonElement call, CancellationToken cancel)
    {
        long id = call.TryGetProperty("id", out var i) && i.TryGetInt64(out long n) ? n : 0;
        string name = call.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        void Id(Utf8JsonWriter json) => json.WriteNumber("id", id);
        var method = ControlDescriptor.Descriptor.FindMethodByName(name);
        if (method is null)
        {
            Post(ConsoleJson.Error("reply", StatusCode.Unimplemented, $"no Control method \"{name}\": {string.Join(", ", ControlDescriptor.Descriptor.Methods.Select(x => x.Name))}", Id));
            return;
        }
        try
        {
            var request = ConsoleJson.Parse(call.TryGetProperty("request", out var r) ? r : null, method.InputType);
            var reply = await InvokeAsync(MethodPath(ControlDescriptor.Descriptor, name), context => request switch
            {
                SetModeRequest x => _control.SetMode(x, context),
                ResetEpisodeRequest x => _control.ResetEpisode(x, context),
                StartRecordingRequest x => _control.StartRecording(x, context),
                StopRecordingRequest x => _control.StopRecording(x, context),
                EmergencyStopRequest x => _control.EmergencyStop(x, context),
                ReleaseEmergencyStopRequest x => _control.ReleaseEmergencyStop(x, context),
                _ => throw new RpcException(new Status(StatusCode.Unimplemented, $"the console does not bridge Control/{name}")),
            }, cancel);
            Post(ConsoleJson.Message("reply", "reply", reply, Id));
        }
        catch (RpcException e)
        {
            Post(ConsoleJson.Error("reply", e.StatusCode, e.Status.Detail, Id));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidOperationException or InvalidJsonException)
        {
            Post(ConsoleJson.Error("reply", StatusCode.InvalidArgument, $"Control/{name}: the request is not a {method.InputType.Name}: {e.Message}", Id));
        }
    }

    /// <summary>
    /// {"op":"drive","message":{OperatorMessage}}: a takeOver opens an Override session (the lease), later commands and
    /// the release go into it. Its messages come back as {"op":"drive","message":{ControllerMessage}}, its end as
    /// {"op":"driveEnded"} with the status it ended with. A tab that goes away ends it, as a dropped stream does.
    /// </summary>
    private void Drive(JsonElement request, CancellationToken cancel)
    {
        OperatorMessage message;
        try
        {
            message = (OperatorMessage)ConsoleJson.Parse(request.TryGetProperty("message", out var m) ? m : null, OperatorMessage.Descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidOperationException or InvalidJsonException)
        {
            Post(ConsoleJson.Error("error", StatusCode.InvalidArgument, $"drive: the message is not an OperatorMessage: {e.Message}"));
            return;
        }
        if (message.MessageCase == OperatorMessage.MessageOneofCase.TakeOver)
        {
            if (_drive is not null)
            {
                Post(ConsoleJson.Error("error", StatusCode.FailedPrecondition, "drive: this tab already has an override session; release it first"));
                return;
            }
            _drive = Channel.CreateBounded<OperatorMessage>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
            _drive.Writer.TryWrite(message);
            _ = DriveAsync(_drive, cancel);
            return;
        }
        if (_drive is null)
        {
            Post(ConsoleJson.Error("error", StatusCode.FailedPrecondition, "drive: no override session: send takeOver first"));
            return;
        }
        _drive.Writer.TryWrite(message);
    }

    private async Task DriveAsync(Channel<OperatorMessage> requests, CancellationToken cancel)
    {
        var responses = new BridgedStreamWriter<ControllerMessage>(message => Post(ConsoleJson.Message("drive", "message", message)));
        try
        {
            await InvokeAsync(DriveMethod, context => new OverrideService(session).Drive(new BridgedStreamReader<OperatorMessage>(requests.Reader), responses, context), cancel);
            Post(ConsoleJson.Error("driveEnded", StatusCode.OK, ""));
        }
        catch (RpcException e)
        {
            Post(ConsoleJson.Error("driveEnded", e.StatusCode, e.Status.Detail));
        }
        catch (OperationCanceledException)
        {
            // The tab went away: the session released the lease as it ended.
        }
        finally
        {
            Interlocked.CompareExchange(ref _drive, null, requests);
        }
    }

    private async Task StreamTelemetryAsync(CancellationToken cancel)
    {
        var frames = new BridgedStreamWriter<TelemetryFrame>(frame => _frames.Writer.TryWrite(ConsoleJson.Message("frame", "frame", frame)));
        await StreamAsync(StreamMethod, context => new TelemetryService(session).Stream(new TelemetryRequest { MaxRateHz = FrameRateHz }, frames, context), cancel);
    }

    private async Task StreamEventsAsync(CancellationToken cancel)
    {
        var events = new BridgedStreamWriter<Event>(e => Post(ConsoleJson.Message("event", "event", e)));
        await StreamAsync(EventsMethod, context => new TelemetryService(session).Events(new EventsRequest(), events, context), cancel);
    }

    private async Task StreamStatusAsync(CancellationToken cancel)
    {
        var telemetry = new TelemetryService(session);
        using var timer = new PeriodicTimer(StatusInterval);
        await StreamAsync(StatusMethod, async context =>
        {
            do
            {
                Post(ConsoleJson.Message("status", "status", await telemetry.GetStatus(new StatusRequest(), context)));
            }
            while (await timer.WaitForNextTickAsync(cancel));
        }, cancel);
    }

    /// <summary>A streaming call until the tab or the robot goes; a refusal or a failure is told to the tab.</summary>
    private async Task StreamAsync(string method, Func<ServerCallContext, Task> call, CancellationToken cancel)
    {
        try
        {
            await InvokeAsync(method, call, cancel);
        }
        catch (RpcException e) when (!cancel.IsCancellationRequested)
        {
            Post(ConsoleJson.Error("error", e.StatusCode, e.Status.Detail));
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException)
        {
            // The tab went away or the robot is down (said when the socket closes).
        }
    }

    /// <summary>The call, after the access check the gRPC interceptor makes, with this tab's token.</summary>
    private Task<T> InvokeAsync<T>(string method, Func<ServerCallContext, Task<T>> call, CancellationToken cancel)
    {
        session.Access.Check(method, _authorization);
        return call(new BridgedCallContext(method, peer, _authorization, cancel));
    }

    private Task InvokeAsync(string method, Func<ServerCallContext, Task> call, CancellationToken cancel)
    {
        session.Access.Check(method, _authorization);
        return call(new BridgedCallContext(method, peer, _authorization, cancel));
    }

    private void Post(byte[] message) => _messages.Writer.TryWrite(message);

    /// <summary>Sends what is queued, messages before frames, until the connection ends.</summary>
    private async Task SendAllAsync(CancellationToken cancel)
    {
        try
        {
            while (true)
            {
                if (_messages.Reader.TryRead(out var message) || _frames.Reader.TryRead(out message))
                {
                    await SendNowAsync(message, cancel);
                    continue;
                }
                var more = _messages.Reader.WaitToReadAsync(cancel).AsTask();
                if (await Task.WhenAny(more, _frames.Reader.WaitToReadAsync(cancel).AsTask()) == more && !await more)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The connection ended.
        }
    }

    private Task SendNowAsync(byte[] message, CancellationToken cancel) =>
        socket.SendAsync(message.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancel).AsTask();

    /// <summary>The next JSON message from the tab; null when it closed. Oversized, binary or unparsable ones are answered with an error.</summary>
    private async Task<JsonElement?> ReceiveAsync(byte[] buffer, CancellationToken cancel)
    {
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(Math.Min(length, buffer.Length - 1)), cancel);
                length = Math.Min(length + received.Count, buffer.Length);
            }
            while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            string? problem = received.MessageType == WebSocketMessageType.Binary ? "the console speaks JSON text messages, not binary"
                : length >= buffer.Length ? $"a message longer than {MaxMessageBytes} bytes"
                : null;
            if (problem is null)
            {
                try
                {
                    using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
                    if (document.RootElement.ValueKind == JsonValueKind.Object)
                    {
                        return document.RootElement.Clone();
                    }
                    problem = "a message must be a JSON object";
                }
                catch (JsonException e)
                {
                    problem = $"not JSON: {e.Message}";
                }
            }
            Post(ConsoleJson.Error("error", StatusCode.InvalidArgument, problem));
        }
    }

    /// <summary>
    /// Closes the socket: our close goes out at once, and the tab's answer ends <paramref name="receiving"/>; a tab that
    /// does not answer within the grace is cut off.
    /// </summary>
    private async Task CloseAsync(Task receiving, string reason, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var grace = new CancellationTokenSource(CloseGrace);
            try
            {
                await socket.CloseOutputAsync(status, reason, grace.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
                // The tab is gone already.
            }
        }
        if (await Task.WhenAny(receiving, Task.Delay(CloseGrace)) != receiving)
        {
            socket.Abort();
        }
        await receiving;
    }

    private static string MethodPath(Google.Protobuf.Reflection.ServiceDescriptor service, string method) => $"/{service.FullName}/{method}";
}
