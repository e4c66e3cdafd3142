using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;

namespace Robotics.Controller.Remote;

/// <summary>
/// A client's first call to a robot that it could not reach, said in one line naming the URL and the likely fix;
/// gRPC's own text ("Error connecting to subchannel.") names neither.
/// </summary>
public static class RobotUnreachable
{
    /// <summary>Makes <paramref name="firstCall"/>; a failure to connect to <paramref name="url"/> is an <see cref="IOException"/> saying so.</summary>
    public static async Task<T> Call<T>(string url, Func<Task<T>> firstCall)
    {
        try
        {
            return await firstCall();
        }
        catch (RpcException e) when (Describe(e, url) is string message)
        {
            throw new IOException(message, e);
        }
    }

    /// <inheritdoc cref="Call{T}"/>
    public static Task Call(string url, Func<Task> firstCall) => Call(url, async () =>
    {
        await firstCall();
        return true;
    });

    /// <summary>What went wrong connecting, or null when the call failed another way (the robot answered).</summary>
    public static string? Describe(RpcException e, string url)
    {
        // Unavailable for a connection that failed; Internal for one whose TLS or HTTP/2 setup failed.
        if (e.StatusCode is not (StatusCode.Unavailable or StatusCode.Internal))
        {
            return null;
        }
        var causes = new List<Exception>();
        for (var cause = e.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            causes.Add(cause);
        }
        string? why = causes.OfType<SocketException>().FirstOrDefault()?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused (is `controller run … --grpc URL` running there?)",
            SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "no such host (check the host name in --connect)",
            SocketError.TimedOut => "no answer (is the robot on, and this port open to you?)",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.NetworkDown => "no route to it (is this computer on the robot's network?)",
            SocketError.ConnectionReset or SocketError.ConnectionAborted => "the connection was cut (is another program on this port, or does the robot serve https://?)",
            SocketError other => $"{other} (the network refused the connection)",
            null when causes.OfType<AuthenticationException>().Any() =>
                "the TLS handshake failed (an https:// URL needs the robot to serve https: is it run with --tls-cert? A self-signed certificate needs --tls-ca)",
            null when causes.OfType<HttpRequestException>().Any() =>
                "it did not answer as a gRPC server at this URL (does the robot serve https:// rather than http://, or is another program on this port?)",
            _ => null,
        };
        return why is null ? null : $"cannot reach the robot at {url}: {why}";
    }
}
