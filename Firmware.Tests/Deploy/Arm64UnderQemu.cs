using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>
/// The linux-arm64 publish, cross-compiled here, and the way to run it on this x86 machine: Debian's qemu-aarch64-static
/// with the arm64 libraries from Debian's multiarch packages (-L /), in a private mount namespace whose /proc/cpuinfo is
/// an ARM one (a Raspberry Pi 5's Cortex-A76): ONNX Runtime reads its CPU's features from there at start, and an x86
/// one makes it crash under user-mode emulation.
/// </summary>
public sealed class PublishedArm64Controller : PublishedBuild
{
    public PublishedArm64Controller() : base(Prerequisites())
    {
        CpuInfo = Scratch("cpuinfo");
        File.WriteAllText(CpuInfo, string.Concat(Enumerable.Range(0, 4).Select(cpu => $"""
            processor	: {cpu}
            BogoMIPS	: 108.00
            Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
            CPU implementer	: 0x41
            CPU architecture: 8
            CPU variant	: 0x4
            CPU part	: 0xd0b
            CPU revision	: 1


            """)));
    }

    /// <summary>The ARM /proc/cpuinfo bound over the real one for the emulated controller.</summary>
    public string CpuInfo { get; }

    /// <summary>Starts the arm64 controller under qemu with <paramref name="arguments"/>.</summary>
    internal ControllerProcess Start(string[] arguments) => ControllerProcess.StartProgram("unshare",
        ["-m", "sh", "-c", "mount --bind \"$1\" /proc/cpuinfo && shift && exec qemu-aarch64-static -L / \"$@\"", "sh", CpuInfo, Executable, .. arguments]);

    private static string Prerequisites()
    {
        Assert.True(Environment.UserName == "root", "the arm64 tests bind an ARM /proc/cpuinfo in a private mount namespace: run the suite as root (CI does)");
        Assert.True(File.Exists("/usr/bin/aarch64-linux-gnu-objcopy"), "the arm64 cross tools are missing: dpkg --add-architecture arm64 && apt-get update && apt-get install llvm binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu zlib1g-dev:arm64");
        Assert.True(File.Exists("/usr/bin/qemu-aarch64-static"), "qemu-aarch64-static is missing: apt-get install qemu-user-static");
        foreach (string library in new[] { "libstdc++.so.6", "libssl.so.3" })
        {
            Assert.True(File.Exists($"/usr/lib/aarch64-linux-gnu/{library}"), $"the arm64 {library} is missing: apt-get install libc6:arm64 libstdc++6:arm64 libssl3:arm64");
        }
        return "linux-arm64";
    }
}

/// <summary>The arm64 tests: the arm64 publish, and the simulators' policies to run on it.</summary>
[CollectionDefinition(Name)]
public sealed class Arm64UnderQemuTests : ICollectionFixture<PublishedArm64Controller>, ICollectionFixture<SimPolicies>
{
    public const string Name = "published arm64 controller";
}
