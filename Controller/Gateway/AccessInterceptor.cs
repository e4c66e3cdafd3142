using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Robotics.Controller.Remote;
using Robotics.Protos.Hashing;

namespace Robotics.Controller.Gateway;

/// <summary>
/// Checks every call's bearer token before the service sees it: Override and Control always need it,
/// Telemetry unless configured open; health checks and reflection are open. The comparison is constant-time
/// (both sides hashed to 32 bytes, then FixedTimeEquals), so a wrong guess teaches nothing about the token.
/// A missing or malformed header is UNAUTHENTICATED, a wrong token PERMISSION_DENIED.
/// </summary>
public sealed class AccessInterceptor(ServerOptions options) : Interceptor
{
    private readonly byte[] _tokenDigest = Sha256.Hash(Encoding.UTF8.GetBytes(options.Token));

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    private void Check(ServerCallContext context)
    {
        string method = context.Method;
        bool open = method.StartsWith("/grpc.health.", StringComparison.Ordinal) || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal) ||
            (options.TelemetryWithoutToken && method.StartsWith("/robotics.control.v1.Telemetry/", StringComparison.Ordinal));
        if (open)
        {
            return;
        }
        string? header = context.RequestHeaders.GetValue("authorization");
        const string Bearer = "Bearer ";
        if (header is null || !header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length == Bearer.Length)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"{method} needs the robot's token: send 'authorization: Bearer <token>'"));
        }
        var digest = Sha256.Hash(Encoding.UTF8.GetBytes(header[Bearer.Length..]));
        if (!CryptographicOperations.FixedTimeEquals(digest, _tokenDigest))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{method}: wrong token"));
        }
    }
}
