using System.Diagnostics;

namespace Robotics.Tests.Support;

/// <summary>
/// Runs a Python script of Firmware.Tests/datasets under Debian's <c>/usr/bin/python3</c>, the interpreter that has
/// Debian's python3-* packages (the <c>python3</c> first on PATH may be another build without them), and returns what
/// it printed.
/// </summary>
public static class PythonScripts
{
    private const string Interpreter = "/usr/bin/python3";

    /// <param name="module">The Debian-packaged module the script needs, checked first (e.g. <c>h5py</c>, from python3-h5py).</param>
    public static string Run(string module, string script, params string[] args)
    {
        Assert.True(File.Exists(Interpreter), $"{Interpreter} is missing: apt-get install python3 (.ci/run does)");
        var check = Start(["-c", $"import {module}"]);
        Assert.True(check.ExitCode == 0, $"python module {module} is missing: apt-get install python3-{module} (.ci/run does)");
        var run = Start([Path.Combine(RepoPaths.Root, "Firmware.Tests", "datasets", script), .. args]);
        Assert.True(run.ExitCode == 0, $"{module} failed ({script} {string.Join(' ', args.Take(3))}): {run.Stderr}");
        return run.Stdout;
    }

    private static (int ExitCode, string Stdout, string Stderr) Start(string[] args)
    {
        var start = new ProcessStartInfo(Interpreter, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), $"python3 {string.Join(' ', args.Take(2))} timed out");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
