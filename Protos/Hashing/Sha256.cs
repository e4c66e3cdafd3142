using Org.BouncyCastle.Crypto.Digests;

namespace Robotics.Protos.Hashing;

/// <summary>
/// SHA-256 in managed code, for the digests the controller takes: a policy's content at load, an operator's token at
/// each call. .NET's own SHA256 loads OpenSSL's libcrypto on Linux, which costs a robot's process 3.3 MiB of resident
/// memory for one hash of a few kilobytes (docs/benchmarks.md, "On the robot: size, memory, start"); BouncyCastle's
/// digest is plain code compiled into the controller. TLS, when a robot serves it, still uses OpenSSL.
/// </summary>
public static class Sha256
{
    /// <summary>The 32-byte SHA-256 (FIPS 180-4) of <paramref name="data"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new Sha256Digest();
        digest.BlockUpdate(data);
        var hash = new byte[digest.GetDigestSize()];
        digest.DoFinal(hash);
        return hash;
    }
}
