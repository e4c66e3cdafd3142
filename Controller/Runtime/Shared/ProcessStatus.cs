using System.Globalization;

namespace Robotics.Controller.Shared;

/// <summary>Another process's /proc/PID/status: what the benchmarks and the metrics read of the loop and the gateway.</summary>
public static class ProcessStatus
{
    /// <summary>A field (what follows its name, trimmed), or null once the process is gone.</summary>
    public static string? Field(int pid, string name)
    {
        try
        {
            string? line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
            return line?[name.Length..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Resident memory (VmRSS, given in kB), or null once the process is gone.</summary>
    public static long? ResidentBytes(int pid) => Field(pid, "VmRSS:") is string kilobytes
        ? long.Parse(kilobytes.Split(' ')[0], CultureInfo.InvariantCulture) * 1024
        : null;
}
