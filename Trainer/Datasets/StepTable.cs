using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Robotics.Trainer.Datasets;

/// <summary>One robot of a step table: its partition folder and what its rows' vectors mean.</summary>
public sealed record StepTableRobot(
    string Name, string Partition, double ControlRateHz, IReadOnlyList<string> Observations, IReadOnlyList<string> Actions, IReadOnlyList<string> DiscreteActions);

/// <summary>
/// The trainer's own Parquet dataset of teleop steps (<c>trainer log export --format parquet</c>, docs/export.md):
/// one row per tick of any number of logs, Hive-partitioned by robot and day
/// (<c>robot=NAME/date=YYYY-MM-DD/part-NNNNN.parquet</c>), so that DuckDB, Spark, Polars or pandas query a fleet's
/// logs as they are. <see cref="Manifest"/> at the root names each robot's signals, which the rows hold as vectors.
/// </summary>
public static class StepTable
{
    public const string Manifest = "_step_table.json";
    public const string FormatName = "robotics-step-table";
    public const int Version = 1;

    public const string EpisodeIndex = "episode_index";
    public const string LogFile = "log_file";
    public const string EpisodeId = "episode_id";
    public const string Tick = "tick";
    public const string TimestampNs = "timestamp_ns";
    public const string UnixTimeNs = "unix_time_ns";
    public const string Source = "source";
    public const string Expert = "expert";
    public const string Intervention = "intervention";
    public const string HelpRequested = "help_requested";
    public const string Flags = "flags";
    public const string Operator = "operator";
    public const string Task = "task";
    public const string Outcome = "outcome";
    public const string Uncertainty = "uncertainty";
    public const string Novelty = "novelty";
    public const string ObservationZ = "observation_z";
    public const string HelpTriggers = "help_triggers";
    public const string LatenessNs = "lateness_ns";
    public const string Observation = "observation";
    public const string Action = "action";

    /// <summary>
    /// A robot's partition folder: <c>robot=</c> and its name with every byte outside [A-Za-z0-9._-] percent-encoded
    /// (as Hive escapes partition values), so that a name such as <c>sim:reach</c> is one safe path segment.
    /// </summary>
    public static string RobotPartition(string robot)
    {
        var escaped = new StringBuilder("robot=");
        foreach (byte b in Encoding.UTF8.GetBytes(robot))
        {
            char c = (char)b;
            escaped.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c.ToString() : string.Create(CultureInfo.InvariantCulture, $"%{b:X2}"));
        }
        return escaped.ToString();
    }

    /// <summary>An episode's day partition, from its start's wall-clock time in UTC (1970-01-01 for a log that recorded none).</summary>
    public static string DatePartition(ulong unixTimeNs) =>
        "date=" + DateTimeOffset.UnixEpoch.AddTicks((long)(unixTimeNs / 100)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A step table's root, or one robot's partition folder in one.</summary>
    public static bool IsDataset(string path) => RootOf(path) is not null;

    /// <summary>The robot a path names: the table's only robot at its root, or the robot whose partition folder it is.</summary>
    public static (string Root, StepTableRobot Robot) Open(string path)
    {
        string root = RootOf(path) ?? throw new InvalidDataException($"{path}: not a step table: no {Manifest} here or in the folder above");
        var robots = ReadManifest(root);
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        if (full != Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar))
        {
            string partition = Path.GetFileName(full);
            var robot = robots.FirstOrDefault(r => r.Partition == partition)
                ?? throw new InvalidDataException($"{path}: {Path.Combine(root, Manifest)} names no robot of partition {partition}");
            return (root, robot);
        }
        return robots.Count == 1
            ? (root, robots[0])
            : throw new InvalidDataException($"{path}: holds the steps of {robots.Count} robots ({string.Join(", ", robots.Select(r => r.Name))}); " +
                $"a policy learns one robot: give its folder, e.g. --data {Path.Combine(path, robots[0].Partition)}");
    }

    /// <summary>A robot's data files, every day's, in path order; none is an error.</summary>
    public static IReadOnlyList<string> DataFiles(string root, StepTableRobot robot)
    {
        string folder = Path.Combine(root, robot.Partition);
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];
        return files.Count > 0 ? files : throw new InvalidDataException($"{folder}: no data files (*.parquet)");
    }

    public static JsonObject ManifestJson(IEnumerable<StepTableRobot> robots, int episodes, long steps) => new()
    {
        ["format"] = FormatName,
        ["version"] = Version,
        ["episodes"] = episodes,
        ["steps"] = steps,
        ["robots"] = new JsonArray([.. robots.Select(r => (JsonNode)RobotJson(r))]),
    };

    /// <summary>One robot's entry of the manifest, which each of its data files repeats in its key-value metadata.</summary>
    public static JsonObject RobotJson(StepTableRobot robot) => new()
    {
        ["name"] = robot.Name,
        ["partition"] = robot.Partition,
        ["control_rate_hz"] = robot.ControlRateHz,
        ["observations"] = new JsonArray([.. robot.Observations.Select(n => (JsonNode)n)]),
        ["actions"] = new JsonArray([.. robot.Actions.Select(n => (JsonNode)n)]),
        ["discrete_actions"] = new JsonArray([.. robot.DiscreteActions.Select(n => (JsonNode)n)]),
    };

    private static string? RootOf(string path)
    {
        if (File.Exists(Path.Combine(path, Manifest)))
        {
            return path;
        }
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar));
        return Path.GetFileName(path.TrimEnd(Path.DirectorySeparatorChar)).StartsWith("robot=", StringComparison.Ordinal)
            && parent is not null && File.Exists(Path.Combine(parent, Manifest)) ? parent : null;
    }

    private static List<StepTableRobot> ReadManifest(string root)
    {
        string path = Path.Combine(root, Manifest);
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            if (json["format"]?.GetValue<string>() != FormatName || json["version"]?.GetValue<int>() != Version)
            {
                throw new InvalidDataException($"format is not {FormatName} version {Version}");
            }
            var robots = (json["robots"] as JsonArray ?? throw new InvalidDataException("no robots")).Select(node => new StepTableRobot(
                Required(node, "name").GetValue<string>(),
                Required(node, "partition").GetValue<string>(),
                Required(node, "control_rate_hz").GetValue<double>(),
                Names(node, "observations"),
                Names(node, "actions"),
                Names(node, "discrete_actions"))).ToList();
            return robots.Count > 0 ? robots : throw new InvalidDataException("no robots");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static JsonNode Required(JsonNode? node, string key) => node?[key] ?? throw new InvalidDataException($"a robot without {key}");

    private static string[] Names(JsonNode? node, string key) =>
        [.. (Required(node, key) as JsonArray ?? throw new InvalidDataException($"{key} is not a list")).Select(n => n?.GetValue<string>() ?? throw new InvalidDataException($"{key} holds a null"))];
}
