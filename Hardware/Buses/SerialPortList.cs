namespace Robotics.Hardware.Buses;

/// <summary>
/// The serial ports present on a computer, to tell a user whose configured port is not there which ones are. USB
/// adapters are listed by their stable names in <c>/dev/serial/by-id</c> with the device each links to, then every
/// <c>/dev/ttyUSB*</c> and <c>/dev/ttyACM*</c> that no such name covers (a system without udev has no by-id names).
/// </summary>
/// <param name="byIdDirectory">Where the stable names are (<c>/dev/serial/by-id</c>).</param>
/// <param name="deviceDirectory">Where the tty devices are (<c>/dev</c>).</param>
public sealed class SerialPortList(string byIdDirectory, string deviceDirectory)
{
    private static readonly string[] AdapterPatterns = ["ttyUSB*", "ttyACM*"];

    /// <summary>This computer's ports.</summary>
    public static SerialPortList ThisComputer { get; } = new("/dev/serial/by-id", "/dev");

    /// <summary>Each port, as "name -> device" for a stable name and as its path otherwise.</summary>
    public IReadOnlyList<string> Ports()
    {
        var ports = new List<string>();
        var linked = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in Entries(byIdDirectory, "*"))
        {
            string? device = new FileInfo(name).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            ports.Add(device is null ? name : $"{name} -> {device}");
            if (device is not null)
            {
                linked.Add(device);
            }
        }
        ports.AddRange(AdapterPatterns.SelectMany(pattern => Entries(deviceDirectory, pattern)).Where(device => !linked.Contains(device)));
        return ports;
    }

    /// <summary>What to tell a user whose port <paramref name="path"/> does not exist: that, and the ports that do.</summary>
    public string Missing(string path)
    {
        var ports = Ports();
        string present = ports.Count == 0
            ? "no serial ports found: is the adapter plugged in?"
            : $"serial ports here: {string.Join(", ", ports)}";
        return $"serial port '{path}' does not exist; {present}";
    }

    private static IEnumerable<string> Entries(string directory, string pattern) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFileSystemEntries(directory, pattern).Select(Path.GetFullPath).Order(StringComparer.Ordinal)
            : [];
}
