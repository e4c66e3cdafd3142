using System.Diagnostics;

namespace Robotics.Emulators;

/// <summary>
/// Two connected pseudo-terminals made by socat (<c>pty,raw,echo=0</c> on each side): a serial line with no
/// hardware, the driver on one end and a device emulator on the other. Killing socat unplugs the "adapter".
/// </summary>
public sealed class PseudoTerminalPair : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("robotics-pty-").FullName;
    private Process _socat;

    public PseudoTerminalPair()
    {
        Driver = Path.Combine(_directory, "driver");
        Device = Path.Combine(_directory, "device");
        _socat = Connect();
    }

    /// <summary>The end the driver under test opens.</summary>
    public string Driver { get; }

    /// <summary>The end the emulator opens.</summary>
    public string Device { get; }

    /// <summary>Kills socat with SIGKILL: the line is gone, as when a USB adapter is pulled.</summary>
    public void Unplug()
    {
        if (!_socat.HasExited)
        {
            _socat.Kill();
            _socat.WaitForExit();
        }
    }

    /// <summary>A new line under the same names: the adapter plugged back in.</summary>
    public void Replug()
    {
        Unplug();
        _socat.Dispose();
        File.Delete(Driver);
        File.Delete(Device);
        _socat = Connect();
    }

    public void Dispose()
    {
        Unplug();
        _socat.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private Process Connect()
    {
        var start = new ProcessStartInfo("socat", ["-d", "-d", $"pty,raw,echo=0,link={Driver}", $"pty,raw,echo=0,link={Device}"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process socat;
        try
        {
            socat = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Directory.Delete(_directory, recursive: true);
            throw new FileNotFoundException("socat is not installed: the emulated serial lines are pseudo-terminal pairs it makes (apt-get install socat)", "socat", e);
        }
        socat.ErrorDataReceived += (_, _) => { };
        socat.BeginErrorReadLine();
        // socat makes the two links once both pseudo-terminals exist; it exits if it cannot.
        if (!SpinWait.SpinUntil(() => socat.HasExited || (File.Exists(Driver) && File.Exists(Device)), TimeSpan.FromSeconds(5)) || socat.HasExited)
        {
            throw new IOException($"socat did not create the pseudo-terminals (exit code {(socat.HasExited ? socat.ExitCode : -1)})");
        }
        return socat;
    }
}
