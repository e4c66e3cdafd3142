using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Robotics.Controller.Gateway;

/// <summary>
/// Checks every call's bearer token before the service sees it, by the robot's <see cref="AccessPolicy"/>: a missing
/// or malformed header is UNAUTHENTICATED, a wrong token PERMISSION_DENIED.
/// </summary>
public sealed class AccessInterceptor(AccessPolicy policy) : Interceptor
{
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

    private void Check(ServerCallContext context) => policy.Check(context.Method, context.RequestHeaders.GetValue("authorization"));
}
