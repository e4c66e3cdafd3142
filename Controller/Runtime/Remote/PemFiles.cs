using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Robotics.Controller.Remote;

/// <summary>Certificates read from the PEM files a command names, each problem one line naming the option and the file.</summary>
public static class PemFiles
{
    /// <summary>The certificate in <paramref name="path"/> (given as <paramref name="option"/>).</summary>
    public static X509Certificate2 Certificate(string path, string option) =>
        Read(path, option, () => X509Certificate2.CreateFromPem(File.ReadAllText(path)), "a PEM certificate (-----BEGIN CERTIFICATE-----)");

    /// <summary>The certificate in <paramref name="certificate"/> with its private key in <paramref name="key"/> (--tls-cert and --tls-key).</summary>
    public static X509Certificate2 WithKey(string certificate, string key)
    {
        Require(certificate, "--tls-cert");
        Require(key, "--tls-key");
        return Read(certificate, "--tls-cert", () => X509Certificate2.CreateFromPemFile(certificate, key),
            "a PEM certificate whose private key is the PEM key in --tls-key " + key);
    }

    private static X509Certificate2 Read(string path, string option, Func<X509Certificate2> read, string expected)
    {
        Require(path, option);
        try
        {
            return read();
        }
        catch (CryptographicException)
        {
            throw new InvalidDataException($"{option}: {path}: not {expected}");
        }
    }

    /// <summary>Throws naming the option when its file is not there.</summary>
    public static void Require(string path, string option)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{option}: {path}: no such file", path);
        }
    }
}
