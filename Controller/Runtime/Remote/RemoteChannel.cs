using Grpc.Core;
using Grpc.Net.Client;

namespace Robotics.Controller.Remote;

/// <summary>A client channel to a robot's gRPC server, carrying the token on every call.</summary>
public static class RemoteChannel
{
    /// <summary>The header an accepted Override.Drive stream opens with; a refused one (trailers only) has none.</summary>
    public const string OverrideOpenHeader = "robotics-override-open";

    /// <param name="trustedCertificate">A PEM certificate to trust (a robot's self-signed one), for https URLs.</param>
    public static GrpcChannel Open(string url, string? token, string? trustedCertificate)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--connect: '{url}' is not an http:// or https:// URL");
        }
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (trustedCertificate is not null)
        {
            var trusted = PemFiles.Certificate(trustedCertificate, "--tls-ca");
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString();
        }
        var credentials = token is null ? null : CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            Credentials = credentials is null ? null : address.Scheme == "https"
                ? ChannelCredentials.Create(ChannelCredentials.SecureSsl, credentials)
                : ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = address.Scheme == "http",
        });
    }
}
