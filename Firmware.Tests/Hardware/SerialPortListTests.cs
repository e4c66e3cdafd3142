using Robotics.Controller.Cli;
using Robotics.Hardware.Buses;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>A configured serial port that is not there is named as missing, with the ports that are there.</summary>
public sealed class SerialPortListTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Stable_names_are_listed_with_their_device_and_other_adapters_after_them()
    {
        string devices = Directory.CreateDirectory(_directory.File("dev")).FullName;
        string byId = Directory.CreateDirectory(_directory.File("by-id")).FullName;
        foreach (string tty in new[] { "ttyACM0", "ttyACM1", "ttyUSB0", "ttyS0" })
        {
            File.WriteAllText(Path.Combine(devices, tty), "");
        }
        // udev's links are relative (../../ttyACM1): the list shows the device itself.
        File.CreateSymbolicLink(Path.Combine(byId, "usb-Feetech_Bus-if00"), Path.Combine("..", "dev", "ttyACM1"));

        var ports = new SerialPortList(byId, devices).Ports();

        Assert.Equal(
            [
                $"{byId}/usb-Feetech_Bus-if00 -> {devices}/ttyACM1",
                $"{devices}/ttyUSB0",
                $"{devices}/ttyACM0",
            ],
            ports);
        Assert.Equal($"serial port '/dev/ttyACM9' does not exist; serial ports here: {string.Join(", ", ports)}",
            new SerialPortList(byId, devices).Missing("/dev/ttyACM9"));
    }

    [Fact]
    public void A_computer_without_serial_ports_asks_whether_the_adapter_is_plugged_in()
    {
        var none = new SerialPortList(_directory.File("no-by-id"), _directory.Path);

        Assert.Empty(none.Ports());
        Assert.Equal("serial port '/dev/ttyACM0' does not exist; no serial ports found: is the adapter plugged in?", none.Missing("/dev/ttyACM0"));
    }

    [Theory]
    [InlineData("feetech-sts", "check")]
    [InlineData("feetech-sts", "run")]
    [InlineData("feetech-sts", "calibrate")]
    [InlineData("dynamixel", "check")]
    [InlineData("framed-serial", "check")]
    [InlineData("framed-serial", "run")]
    public void Every_command_names_the_device_its_missing_port_and_the_ports_there_are(string type, string command)
    {
        string config = _directory.File("unplugged.json");
        File.WriteAllText(config, Config(type, "/nowhere/ttyACM0"));
        string[] args = command switch
        {
            "run" => ["run", "--robot", config, "--mode", "teleop", "--duration", "1s", "--no-realtime"],
            "calibrate" => ["calibrate", "--robot", config, "--zero"],
            _ => [command, "--robot", config],
        };

        var run = CliRun.Of(ControllerCli.Build(), args);

        Assert.Equal(1, run.ExitCode);
        string error = Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.StartsWith("error: arm: serial port '/nowhere/ttyACM0' does not exist; ", error);
        Assert.EndsWith(SerialPortList.ThisComputer.Missing("/nowhere/ttyACM0"), error);
        Assert.DoesNotContain("denied", error, StringComparison.Ordinal);
    }

    private static string Config(string type, string port)
    {
        bool servos = type != "framed-serial";
        string settings = servos
            ? $$"""{ "port": "{{port}}", "baud": 1000000, "ids": [1] }"""
            : $$"""{ "port": "{{port}}", "inputs": ["position"], "outputs": ["motor"] }""";
        string source = servos ? "arm.1.position" : "arm.position";
        string target = servos ? "arm.1.goal_position" : "arm.motor";
        return $$"""
            {
              "name": "unplugged", "rate_hz": 50,
              "devices": [ { "name": "arm", "type": "{{type}}", "settings": {{settings}} } ],
              "observations": [ { "name": "position", "unit": "rad", "source": "{{source}}", "max_age_ms": 100 } ],
              "actions": [ { "name": "motor", "unit": "rad", "target": "{{target}}", "min": -1, "max": 1, "safe": 0,
                             "teleop": { "source": "{{source}}", "max_age_ms": 100 } } ]
            }
            """;
    }
}
