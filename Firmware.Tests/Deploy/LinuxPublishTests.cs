using System.Diagnostics;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>
/// A self-contained Linux publish of the controller carries ONNX Runtime's Linux library and none of its Windows DLLs:
/// the package's build props used to copy onnxruntime.dll and onnxruntime_providers_shared.dll into every x64 or arm64
/// output (Directory.Build.targets leaves them out). A real publish, built apart from the repository's own outputs.
/// </summary>
public sealed class LinuxPublishTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_linux_publish_has_libonnxruntime_and_no_windows_onnxruntime_dlls()
    {
        string output = _directory.File("out");
        var start = new ProcessStartInfo("dotnet",
            ["publish", Path.Combine(RepoPaths.Root, "Controller"), "-c", "Release", "-r", "linux-x64", "--self-contained",
             "--artifacts-path", _directory.File("artifacts"), "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        try
        {
            await publish.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            // A publish that never ends is not left running behind the suite.
            publish.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(publish.ExitCode == 0, $"dotnet publish exited with {publish.ExitCode}:\n{await stdout}\n{await stderr}");
        var files = Directory.GetFiles(output).Select(Path.GetFileName).ToList();
        Assert.Contains("libonnxruntime.so", files);
        Assert.DoesNotContain(files, file => file!.StartsWith("onnxruntime", StringComparison.OrdinalIgnoreCase) && file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
    }
}
