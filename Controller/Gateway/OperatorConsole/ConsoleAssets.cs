using System.Reflection;

namespace Robotics.Controller.Gateway.OperatorConsole;

/// <summary>
/// The console's page, script and style, embedded in the gateway's assembly (OperatorConsole/assets): the robot serves
/// them with nothing installed beside the controller and no internet.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Files = Load();

    /// <summary>The asset at a request path ("/" is the page); null for any other path.</summary>
    public static (string ContentType, byte[] Content)? Find(string path) =>
        Files.TryGetValue(path == "/" ? "/index.html" : path, out var file) ? file : null;

    private static Dictionary<string, (string, byte[])> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        const string Prefix = "console/";
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var content = new MemoryStream();
            stream.CopyTo(content);
            string file = name[Prefix.Length..];
            files["/" + file] = (ContentType(file), content.ToArray());
        }
        return files;
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
