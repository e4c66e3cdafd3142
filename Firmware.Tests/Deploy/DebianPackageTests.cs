using System.Globalization;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>
/// The Debian package (Controller/Packaging/build-deb) of the published controller, built twice (two versions, for an
/// upgrade): lintian finds nothing to say, and dpkg installs, upgrades, removes and purges it in a throwaway root
/// (package-cycle.sh: an overlay over this machine's root, in a private mount namespace) leaving the robot's config and
/// recordings alone, with the unit verified by systemd-analyze and the installed controller run as the service's user.
/// </summary>
[Collection(PublishedControllerTests.Name)]
public sealed class DebianPackageTests(PublishedController published)
{
    private string Build(string version)
    {
        string output = published.Scratch("packages");
        string deb = Path.Combine(output, $"robot-controller_{version}_amd64.deb");
        if (!File.Exists(deb))
        {
            Tool.Run(Path.Combine(RepoPaths.Root, "Controller", "Packaging", "build-deb"),
                ["--rid", "linux-x64", "--published", published.Folder, "--version", version, "--output", output], TimeSpan.FromMinutes(5));
        }
        return deb;
    }

    [Fact]
    public void Lintian_finds_nothing_to_say_about_the_package()
    {
        Assert.True(File.Exists("/usr/bin/lintian"), "lintian is missing: apt-get install lintian");
        // Warnings count: the overrides the package carries (debian/lintian-overrides) say why each one left is fine.
        string said = Tool.Run("lintian", ["--allow-root", "--fail-on", "error,warning", Build("1.0.0")], TimeSpan.FromMinutes(5));
        Assert.DoesNotMatch(@"(?m)^[EW]: ", said);
    }

    [Fact]
    public void The_package_installs_in_at_most_60_MB()
    {
        // Installed-Size is in KiB (Debian Policy 5.6.20); the budget is a robot's SD card's and a fleet's download's.
        long installed = long.Parse(Tool.Run("dpkg-deb", ["-f", Build("1.0.0"), "Installed-Size"], TimeSpan.FromMinutes(1)).Trim(), CultureInfo.InvariantCulture) * 1024;

        Assert.True(installed <= 60_000_000, $"the package installs {installed / 1e6:F1} MB, over the 60 MB budget (docs/benchmarks.md, \"On the robot\")");
    }

    [Fact]
    public void Install_upgrade_remove_and_purge_keep_the_robots_config_and_recordings()
    {
        Assert.True(Environment.UserName == "root", "the package cycle mounts a throwaway root and runs dpkg in it: run the suite as root (CI does)");
        Assert.True(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing: apt-get install systemd");
        string work = published.Scratch($"cycle-{Guid.NewGuid():N}");

        string said = Tool.Run("unshare", ["-m", Path.Combine(RepoPaths.Root, "Firmware.Tests", "Deploy", "package-cycle.sh"), Build("1.0.0"), Build("1.0.1"), work], TimeSpan.FromMinutes(10));

        Assert.Contains("package cycle: ok", said, StringComparison.Ordinal);
        // The machine's own root was never touched.
        Assert.False(File.Exists("/usr/lib/robot-controller/controller"));
    }
}
