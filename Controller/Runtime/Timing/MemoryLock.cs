using System.Runtime.InteropServices;

namespace Robotics.Controller.Timing;

/// <summary>
/// Keeps the process's pages in RAM for a run (mlockall), so that a page the loop touches is never evicted and read back
/// from an SD card or eMMC in the middle of a tick. Locked on fault (MCL_ONFAULT): pages are pinned as they are first
/// touched rather than all mapped ones at once, which would make every byte of every mapped library (ONNX Runtime alone
/// is 20–30 MB) resident. The loop's warm-up ticks touch its path before any deadline matters.
/// </summary>
internal static partial class MemoryLock
{
    // <asm-generic/mman-common.h> (x86-64 and arm64): MCL_CURRENT 1, MCL_FUTURE 2, MCL_ONFAULT 4 (Linux 4.4).
    private const int Current = 1;
    private const int Future = 2;
    private const int OnFault = 4;

    /// <summary>Locks current and future pages as they are touched; returns why not when the machine refuses.</summary>
    public static string? LockAll()
    {
        if (MLockAll(Current | Future | OnFault) == 0)
        {
            return null;
        }
        int errno = Marshal.GetLastPInvokeError();
        // ENOMEM (12): over RLIMIT_MEMLOCK without CAP_IPC_LOCK; EPERM (1): no privilege at all.
        return errno is 12 or 1
            ? $"memory not locked (mlockall refused, errno {errno}): page faults from disk can reach the loop; allow it with LimitMEMLOCK=infinity in the service unit, or `ulimit -l unlimited`"
            : $"memory not locked (mlockall failed, errno {errno}): page faults from disk can reach the loop";
    }

    /// <summary>Unlocks every page; munlockall(2) has no failure to act on here (the pages are merely left locked).</summary>
    public static void UnlockAll() => _ = MUnlockAll();

    [LibraryImport("libc", EntryPoint = "mlockall", SetLastError = true)]
    private static partial int MLockAll(int flags);

    [LibraryImport("libc", EntryPoint = "munlockall")]
    private static partial int MUnlockAll();
}
