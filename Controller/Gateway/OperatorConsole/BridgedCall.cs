using System.Threading.Channels;
using Grpc.Core;

namespace Robotics.Controller.Gateway.OperatorConsole;

/// <summary>
/// A call of one of the robot's gRPC services made by the console's bridge rather than by Kestrel's gRPC stack: the
/// same service class, method and arguments, so the console gets exactly the validation, lease rules and errors a
/// gRPC client gets. Access is checked before the call by <see cref="AccessPolicy"/>, as the interceptor does.
/// </summary>
internal sealed class BridgedCallContext(string method, string peer, string? authorization, CancellationToken cancel) : ServerCallContext
{
    private readonly Metadata _headers = authorization is null ? [] : new Metadata { { "authorization", authorization } };

    protected override string MethodCore => method;

    protected override string HostCore => "console";

    protected override string PeerCore => peer;

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => _headers;

    protected override CancellationToken CancellationTokenCore => cancel;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("a console call starts no other call");

    // The bridge has no headers to send: the console learns that a call is open from its first message.
    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}

/// <summary>A service's response stream, handed message by message to the bridge (which turns each into JSON at once).</summary>
internal sealed class BridgedStreamWriter<T>(Action<T> write) : IServerStreamWriter<T>
{
    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    // The services write with their call's token; the interface's default refuses a cancellable one.
    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        write(message);
        return Task.CompletedTask;
    }
}

/// <summary>A service's request stream, fed by the bridge from the console's messages.</summary>
internal sealed class BridgedStreamReader<T>(ChannelReader<T> requests) : IAsyncStreamReader<T>
{
    public T Current { get; private set; } = default!;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (!await requests.WaitToReadAsync(cancellationToken) || !requests.TryRead(out var next))
        {
            return false;
        }
        Current = next;
        return true;
    }
}
