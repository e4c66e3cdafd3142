using System.Text;
using Robotics.Controller.Loop;
using Robotics.Emulators;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Tests.Support;
using Xunit.Abstractions;

namespace Robotics.Tests.Hardware;

/// <summary>
/// A seeded mutation fuzzer for robot configs: a config for a framed-serial board, damaged a few hundred ways (hostile
/// numbers, wrong types, deleted, renamed and doubled keys, doubled entries, bit flips, truncations). Each damaged
/// config is either refused as one plain line naming the file, or, accepted, drives the emulated board for a few ticks
/// with an operator commanding hostile values; the board must never be sent a value that is not finite or lies outside
/// what the config's limits map to. The file is never written to, and no case may hang. A failure names the seed, the
/// case and the mutation, which replay it.
/// </summary>
public sealed class RobotConfigFuzzTests(ITestOutputHelper output) : IDisposable
{
    // The seed CI runs; FUZZ_SEED explores others (a failure names its seed, which replays it).
    private static readonly int Seed = FuzzCampaign.Seed(14_12);
    private const int Cases = 160;
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _directory = new();
    private readonly PseudoTerminalPair _line = new();

    public void Dispose()
    {
        _line.Dispose();
        _directory.Dispose();
    }

    private string Base => $$"""
        {
          "name": "fuzzed-board",
          "rate_hz": 100,
          "devices": [ { "name": "board", "type": "framed-serial", "stale_recovery": { "fresh_ticks": 5 },
                         "settings": { "port": "{{_line.Driver}}", "inputs": ["position", "current", "stop"], "outputs": ["motor", "brake"], "timeout_ms": 100 } } ],
          "observations": [
            { "name": "position", "unit": "rad", "source": "board.position", "scale": 0.5, "offset": 0.1, "max_age_ms": 500 },
            { "name": "current", "unit": "A", "source": "board.current", "max_age_ms": 500 }
          ],
          "actions": [
            { "name": "motor", "unit": "1", "target": "board.motor", "min": -1, "max": 1, "max_rate": 40, "safe": 0, "scale": 0.5, "offset": 0.25 },
            { "name": "brake", "unit": "1", "target": "board.brake", "min": 0, "max": 1, "safe": 1 }
          ],
          "emergency_stops": [ { "source": "board.stop", "max_age_ms": 500 } ]
        }
        """;

    [Fact]
    public async Task Mutated_configs_are_refused_in_one_plain_line_or_drive_the_board_within_their_limits()
    {
        var outcome = await new FuzzCampaign("config", Seed, CaseLimit).RunAsync(Cases,
            (_, random) =>
            {
                var (text, what) = Mutations.Json(Base, random);
                return (Encoding.UTF8.GetBytes(text), what);
            },
            i => _directory.File($"case-{i}.json"),
            (_, path) => Case(path));

        output.WriteLine($"seed {Seed}: {Cases} configs: {outcome}");
        Assert.True(outcome.Failures.Count == 0, string.Join("\n", outcome.Failures));
        // The fuzzer must reach both sides: configs refused, and configs that drive the board.
        Assert.True(outcome.Refused > Cases / 4 && outcome.Driven > 10, outcome.ToString());
    }

    /// <summary>Cases the fuzzer found, made minimal: each was a crash, or an error naming neither the file nor the device.</summary>
    [Theory]
    [InlineData("a port that is not there (case 36)", "\"port\": \"", "\"port\": \"/nowhere", "board: serial port '/nowhere/")]
    [InlineData("a port that is a space (case 81)", "\"port\": \"{driver}\"", "\"port\": \" \"", "board: serial port ' ' does not exist")]
    [InlineData("a null action (case 277)", "\"actions\": [", "\"actions\": [ null,", "actions[0]: null: expected an action object")]
    public void Cases_the_fuzzer_found_are_refused_in_one_plain_line(string what, string find, string replacement, string expected)
    {
        string text = Base.Replace(find.Replace("{driver}", _line.Driver, StringComparison.Ordinal), replacement, StringComparison.Ordinal);
        Assert.NotEqual(Base, text);
        string path = _directory.File("minimized.json");
        File.WriteAllText(path, text);

        var (failure, driven) = Case(path);

        Assert.Null(failure);
        Assert.False(driven, what);
        var error = Record.Exception(() =>
        {
            using var robot = new ConfiguredRobot(RobotConfigLoader.Load(path), DeviceRegistry.Default);
            robot.Start();
        });
        Assert.Contains(expected, error!.Message);
    }

    /// <summary>One config: loaded, and when accepted driven; what was wrong, if anything.</summary>
    private FuzzVerdict Case(string path)
    {
        ResolvedConfig config;
        try
        {
            config = RobotConfigLoader.Load(path);
        }
        catch (Exception e)
        {
            return FuzzVerdict.Refused(PlainError.Problem(e, path));
        }
        var names = config.Devices.Select(d => d.Name!).Append(path).ToArray();
        using var board = new FramedBoardEmulator(_line.Device, inputs: 3, outputs: 2, TimeSpan.FromMilliseconds(5));
        ConfiguredRobot robot;
        try
        {
            robot = new ConfiguredRobot(config, DeviceRegistry.Default);
        }
        catch (Exception e)
        {
            return FuzzVerdict.Refused(PlainError.Problem(e, names));
        }
        using (robot)
        {
            var options = new LoopOptions { RateHz = config.Description.RateHz, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMilliseconds(100) };
            try
            {
                using var loop = new ControlLoop(robot, options, null, new HostileOperator());
                loop.Start();
                loop.WaitForExit();
            }
            catch (Exception e)
            {
                return FuzzVerdict.Refused(PlainError.Problem(e, names));
            }
            return new FuzzVerdict(OutOfLimits(config, robot, board), Driven: true);
        }
    }

    /// <summary>Whether the board was sent a value that is not finite, or outside what its action's min and max map to.</summary>
    private static string? OutOfLimits(ResolvedConfig config, ConfiguredRobot robot, FramedBoardEmulator board)
    {
        var (lowest, highest, nonFinite) = board.SetValues;
        if (nonFinite > 0)
        {
            return $"{nonFinite} values sent to the board were not finite";
        }
        var outputs = robot.Devices[0].Outputs;
        for (int channel = 0; channel < outputs.Count; channel++)
        {
            if (lowest[channel] > highest[channel])
            {
                continue; // never sent
            }
            // The device value of each action on this channel: (action − offset) / scale, in floats as the loop does.
            var ranges = config.Actions.Select((a, i) => (a, spec: config.Description.Actions[i]))
                .Where(x => x.a.Target.Device == robot.Devices[0].Name && x.a.Target.Channel == outputs[channel])
                .Select(x => (Low: (x.spec.Min - (float)x.a.Offset) / (float)x.a.Scale, High: (x.spec.Max - (float)x.a.Offset) / (float)x.a.Scale))
                .Select(r => (Low: Math.Min(r.Low, r.High), High: Math.Max(r.Low, r.High)))
                .DefaultIfEmpty((Low: 0f, High: 0f))
                .ToList();
            float low = ranges.Min(r => r.Low), high = ranges.Max(r => r.High);
            float slack = 1e-6f * Math.Max(1, Math.Max(Math.Abs(low), Math.Abs(high)));
            if (lowest[channel] < low - slack || highest[channel] > high + slack)
            {
                return $"{outputs[channel]} was sent values from {lowest[channel]} to {highest[channel]}, outside [{low}, {high}]";
            }
        }
        return null;
    }

    /// <summary>
    /// An operator commanding what no robot should be sent: huge values, then infinite and NaN ones (the first of which
    /// latches a fault, so the finite extremes come first), among ordinary ones.
    /// </summary>
    private sealed class HostileOperator : IOperator
    {
        private static readonly float[] Values = [1e30f, -1e30f, 0.3f, 5f, -5f, float.MaxValue, -0.7f, -float.MaxValue, 0.9f, float.PositiveInfinity, float.NaN, float.NegativeInfinity];
        private int _tick;

        public string Name => "hostile operator";

        public bool TryAct(ReadOnlySpan<float> observation, Span<float> action)
        {
            for (int i = 0; i < action.Length; i++)
            {
                action[i] = Values[(_tick + i) % Values.Length];
            }
            _tick++;
            return true;
        }
    }
}
