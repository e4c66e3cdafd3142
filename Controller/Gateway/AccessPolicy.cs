using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Robotics.Controller.Remote;
using Robotics.Protos.Hashing;

namespace Robotics.Controller.Gateway;

/// <summary>
/// Who may call what: Override and Control always need the robot's token, Telemetry unless configured open; health
/// checks and reflection are open. gRPC calls are checked by <see cref="AccessInterceptor"/>, the browser console's by
/// its bridge, both here. The comparison is constant-time (both sides hashed to 32 bytes, then FixedTimeEquals), so a
/// wrong guess teaches nothing about the token.
/// </summary>
public sealed class AccessPolicy(ServerOptions options)
{
    private const string Bearer = "Bearer ";
    private readonly byte[] _tokenDigest = Sha256.Hash(Encoding.UTF8.GetBytes(options.Token));

    /// <summary>Whether <paramref name="method"/> (a gRPC path, /package.Service/Method) may be called without the token.</summary>
    public bool IsOpen(string method) =>
        method.StartsWith("/grpc.health.", StringComparison.Ordinal) || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal) ||
        (options.TelemetryWithoutToken && method.StartsWith($"/{Protos.Control.Telemetry.Descriptor.FullName}/", StringComparison.Ordinal));

    /// <summary>Whether <paramref name="token"/> is the robot's.</summary>
    public bool IsToken(string token) => CryptographicOperations.FixedTimeEquals(Sha256.Hash(Encoding.UTF8.GetBytes(token)), _tokenDigest);

    /// <summary>
    /// Throws what the caller gets when <paramref name="authorization"/> (the header's value) does not let it call
    /// <paramref name="method"/>: UNAUTHENTICATED without a bearer token, PERMISSION_DENIED with a wrong one.
    /// </summary>
    public void Check(string method, string? authorization)
    {
        if (IsOpen(method))
        {
            return;
        }
        if (authorization is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || authorization.Length == Bearer.Length)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"{method} needs the robot's token: send 'authorization: Bearer <token>'"));
        }
        if (!IsToken(authorization[Bearer.Length..]))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{method}: wrong token"));
        }
    }
}
