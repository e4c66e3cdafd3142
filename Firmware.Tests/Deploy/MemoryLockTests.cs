using Robotics.Controller.Shared;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>
/// A realtime `controller run` locks its pages as they are touched (mlockall, MCL_ONFAULT): where the machine allows it
/// (root here; LimitMEMLOCK=infinity under the package's unit) the kernel counts locked pages, and where it refuses (no
/// CAP_IPC_LOCK and a small memlock limit, a plain user's default) the run says so in one line and drives the robot anyway.
/// </summary>
public sealed class MemoryLockTests
{
    private static readonly string[] Run = ["run", "--robot", "sim:reach", "--mode", "teleop"];

    [Fact]
    public async Task A_realtime_run_locks_its_memory_where_allowed()
    {
        Assert.True(Environment.UserName == "root", "locking memory without a limit needs CAP_IPC_LOCK: run the suite as root (CI does)");
        using var child = ControllerProcess.Start([.. Run, "--until-stopped"]);
        await child.WaitForLineAsync(line => line.StartsWith("running sim:reach", StringComparison.Ordinal), Waits.Patience);

        // VmLck: the pages locked so far, which grow as the loop touches them.
        string? locked = ProcessStatus.Field(child.Pid, "VmLck:");
        Assert.NotNull(locked);
        Assert.True(long.Parse(locked.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) > 0, $"VmLck: {locked}");
        Assert.DoesNotContain("memory not locked", child.Stderr, StringComparison.Ordinal);

        child.Signal("TERM");
        Assert.Equal(143, await child.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task A_refused_lock_is_one_warning_and_the_run_goes_on()
    {
        Assert.True(File.Exists("/usr/bin/setpriv") && File.Exists("/usr/bin/prlimit"), "setpriv and prlimit are missing: apt-get install util-linux");
        // No CAP_IPC_LOCK (dropped from the bounding set) and a 64 KiB memlock limit: mlockall answers ENOMEM.
        using var child = ControllerProcess.StartProgram("setpriv", ["--bounding-set=-ipc_lock", "--inh-caps=-ipc_lock",
            "prlimit", "--memlock=65536", "dotnet", RepoPaths.ControllerDll, .. Run, "--episodes", "1", "--unpaced"]);

        Assert.Equal(0, await child.WaitForExitAsync(Waits.Patience));
        Assert.Equal(
            "warning: memory not locked (mlockall refused, errno 12): page faults from disk can reach the loop; allow it with LimitMEMLOCK=infinity in the service unit, or `ulimit -l unlimited`",
            Assert.Single(child.StderrLines, line => line.Contains("memory not locked", StringComparison.Ordinal)));
        Assert.Contains(child.StdoutLines, line => line.StartsWith("episodes   1: success 1", StringComparison.Ordinal));
    }
}
