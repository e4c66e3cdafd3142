using System.Runtime.InteropServices;

namespace Robotics.Controller.CommandLine;

/// <summary>Signals to other processes (kill(2)): .NET's Process.Kill only sends SIGKILL, which leaves a child no chance to stop cleanly.</summary>
public static partial class ProcessSignals
{
    // signal(7): the same numbers on x86-64 and arm64 Linux.
    public const int Terminate = 15;
    public const int Kill = 9;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; false when it is gone.</summary>
    public static bool Send(int pid, int signal) => KillProcess(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillProcess(int pid, int signal);
}
