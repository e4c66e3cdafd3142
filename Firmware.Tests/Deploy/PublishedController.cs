using System.Diagnostics;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>
/// The controller published with a robot's profile (native AOT), as a robot gets it, made once for every test of its
/// collection: a real `dotnet publish`, built apart from the repository's own outputs.
/// </summary>
public abstract class PublishedBuild : IDisposable
{
    private readonly TempDirectory _directory = new();

    protected PublishedBuild(string runtime)
    {
        Assert.True(File.Exists("/usr/bin/clang"), "clang is missing (native AOT links the published controller with it): apt-get install clang zlib1g-dev");
        Folder = _directory.File("publish");
        Tool.Run("dotnet", ["publish", Path.Combine(RepoPaths.Root, "Controller"), $"-p:PublishProfile={runtime}",
            "--artifacts-path", _directory.File("artifacts"), "-o", Folder, "-nologo"], TimeSpan.FromMinutes(20));
    }

    /// <summary>The publish folder.</summary>
    public string Folder { get; }

    /// <summary>The published executable.</summary>
    public string Executable => Path.Combine(Folder, "controller");

    /// <summary>A scratch file or folder that lives as long as the publish.</summary>
    public string Scratch(string name) => _directory.File(name);

    public void Dispose()
    {
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The linux-x64 publish: this machine runs it.</summary>
public sealed class PublishedController() : PublishedBuild("linux-x64");

/// <summary>The deployment tests: the publish, and the simulators' policies to run on it (made again for this collection).</summary>
[CollectionDefinition(Name)]
public sealed class PublishedControllerTests : ICollectionFixture<PublishedController>, ICollectionFixture<SimPolicies>
{
    public const string Name = "published controller";
}

/// <summary>Runs a tool to its end and fails the test with its output when it does not succeed.</summary>
public static class Tool
{
    /// <returns>Standard output and standard error, together.</returns>
    public static string Run(string program, IEnumerable<string> arguments, TimeSpan patience, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail($"{program} is missing: {Install(program)}");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(patience))
            {
                // A tool that never ends is not left running behind the suite.
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{program} did not finish within {patience}");
            }
            string output = stdout.Result + stderr.Result;
            Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
            return output;
        }
    }

    /// <summary>How to get a tool the deployment tests use.</summary>
    public static string Install(string program) => Path.GetFileName(program) switch
    {
        "lintian" => "apt-get install lintian",
        "systemd-analyze" => "apt-get install systemd",
        "dpkg-deb" or "dpkg" => "apt-get install dpkg",
        "unshare" or "setpriv" => "apt-get install util-linux",
        _ => $"install {program}",
    };
}
