using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Data;
using Robotics.Trainer.Logs;

namespace Robotics.Trainer.Datasets.Export;

/// <summary>What <see cref="LeRobotExport.WriteAsync"/> wrote.</summary>
public sealed record LeRobotExportSummary(int Episodes, long Frames, int Tasks, int DataFiles, int Fps);

/// <summary>
/// Writes teleop episodes as a LeRobot v3.0 dataset (docs/dataset-formats.md §1, its §5 exporter checklist): one frame
/// per step, every source, episodes numbered 0, 1, 2… in the order <c>trainer train</c> splits them. Beside LeRobot's
/// own features each frame carries <c>source</c> (teleop, policy, override, safety, unspecified), <c>intervention</c>
/// (an operator drove it: teleop or override, LeRobot's rollout convention), <c>tick</c>, <c>flags</c> and
/// <c>operator</c>; each episode carries <c>success</c>, <c>outcome</c> and where it came from.
/// </summary>
public static class LeRobotExport
{
    public const int ChunksSize = 1000;
    public const int DataFilesSizeInMb = 100;
    public const int VideoFilesSizeInMb = 200;
    public const string DataPath = "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet";
    public const string Source = "source";
    public const string Tick = "tick";
    public const string Flags = "flags";
    public const string Operator = "operator";

    /// <summary>The task of an episode whose start names none: LeRobot gives every frame a task string.</summary>
    public const string UnnamedTask = "unspecified";

    private static readonly ListField ActionField = ParquetColumnWriter.Vector(LeRobotDataset.Action);
    private static readonly ListField StateField = ParquetColumnWriter.Vector(LeRobotDataset.State);
    private static readonly DataField SourceField = ParquetColumnWriter.Scalar<string>(Source);
    private static readonly DataField InterventionField = ParquetColumnWriter.Scalar<bool>(LeRobotDataset.Intervention);
    private static readonly DataField TickField = ParquetColumnWriter.Scalar<long>(Tick);
    private static readonly DataField FlagsField = ParquetColumnWriter.Scalar<long>(Flags);
    private static readonly DataField OperatorField = ParquetColumnWriter.Scalar<string>(Operator);
    private static readonly DataField TimestampField = ParquetColumnWriter.Scalar<float>("timestamp");
    private static readonly DataField FrameIndexField = ParquetColumnWriter.Scalar<long>("frame_index");
    private static readonly DataField EpisodeIndexField = ParquetColumnWriter.Scalar<long>("episode_index");
    private static readonly DataField IndexField = ParquetColumnWriter.Scalar<long>("index");
    private static readonly DataField TaskIndexField = ParquetColumnWriter.Scalar<long>("task_index");

    private static readonly ParquetSchema DataSchema = new(ActionField, StateField, SourceField, InterventionField, TickField, FlagsField, OperatorField,
        TimestampField, FrameIndexField, EpisodeIndexField, IndexField, TaskIndexField);

    /// <summary>LeRobot's fps is a whole number of frames a second: a log at another rate is refused rather than retimed.</summary>
    public static int WholeFps(TeleopEpisode episode)
    {
        double rate = episode.Start.ControlRateHz;
        return rate == Math.Round(rate) && rate <= int.MaxValue
            ? (int)rate
            : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{episode.SourcePath}: episode {episode.Id}: control_rate_hz is {rate}: LeRobot's fps is a whole number of frames a second; export this log with --format robomimic or parquet"));
    }

    public static string TaskOf(TeleopEpisode episode) => episode.Start.Task.Length > 0 ? episode.Start.Task : UnnamedTask;

    public static async Task<LeRobotExportSummary> WriteAsync(IReadOnlyList<TeleopEpisode> episodes, string root)
    {
        ExportedLogs.RequireOneRobot(episodes, "lerobot");
        var first = episodes[0];
        int fps = WholeFps(first);
        var tasks = episodes.Select(TaskOf).Distinct(StringComparer.Ordinal).ToList();
        var frames = new LeRobotFrames(first.Start.Observations.Count, first.Start.Actions.Count);
        var placements = await WriteDataAsync(episodes, root, fps, tasks, frames);
        await WriteEpisodesAsync(episodes, root, tasks, placements);
        await WriteTasksAsync(root, tasks);
        Write(Path.Combine(root, "meta", "stats.json"), frames.Stats());
        Write(Path.Combine(root, "meta", "info.json"), Info(first, fps, episodes.Count, frames.Count, tasks.Count));
        return new LeRobotExportSummary(episodes.Count, frames.Count, tasks.Count, placements.Select(p => (p.Chunk, p.File)).Distinct().Count(), fps);
    }

    /// <summary>Where an episode's frames went: its data file and its global frame range [From, To).</summary>
    private sealed record Placement(int Chunk, int File, long From, long To);

    /// <summary>
    /// The frames, one row group per episode (as LeRobot's writer appends them), in data files that roll over at
    /// <see cref="DataFilesSizeInMb"/> and chunk directories that roll over at <see cref="ChunksSize"/> files.
    /// </summary>
    private static async Task<List<Placement>> WriteDataAsync(IReadOnlyList<TeleopEpisode> episodes, string root, int fps, List<string> tasks, LeRobotFrames frames)
    {
        var placements = new List<Placement>();
        int chunk = 0;
        int file = 0;
        (FileStream Stream, ParquetWriter Writer)? open = null;
        try
        {
            for (int e = 0; e < episodes.Count; e++)
            {
                if (open is null)
                {
                    open = await ParquetColumnWriter.CreateAsync(Path.Combine(root, DataFile(chunk, file)), DataSchema);
                }
                long from = frames.Count;
                await WriteEpisodeAsync(open.Value.Writer, episodes[e], e, fps, tasks.IndexOf(TaskOf(episodes[e])), frames);
                placements.Add(new Placement(chunk, file, from, frames.Count));
                if (open.Value.Stream.Position >= DataFilesSizeInMb * 1024L * 1024L)
                {
                    await Close(open.Value);
                    open = null;
                    (chunk, file) = file + 1 == ChunksSize ? (chunk + 1, 0) : (chunk, file + 1);
                }
            }
        }
        finally
        {
            if (open is not null)
            {
                await Close(open.Value);
            }
        }
        return placements;
    }

    private static async Task Close((FileStream Stream, ParquetWriter Writer) open)
    {
        await open.Writer.DisposeAsync();
        await open.Stream.DisposeAsync();
    }

    public static string DataFile(int chunk, int file) => string.Create(CultureInfo.InvariantCulture, $"data/chunk-{chunk:000}/file-{file:000}.parquet");

    private static async Task WriteEpisodeAsync(ParquetWriter writer, TeleopEpisode episode, int index, int fps, int task, LeRobotFrames frames)
    {
        var steps = episode.Steps;
        int n = steps.Count;
        int observations = episode.Start.Observations.Count;
        int actions = episode.Start.Actions.Count;
        var (state, action) = ExportedLogs.Vectors(episode);
        long first = frames.Count;
        var frameIndex = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        var row = new LeRobotRows(
            state, action,
            [.. steps.Select(s => LogSummary.SourceName(s.Source))],
            [.. steps.Select(ExportedLogs.IsExpert)],
            [.. steps.Select(s => (long)s.Tick)],
            [.. steps.Select(s => (long)s.Flags)],
            [.. steps.Select(episode.OperatorOf)],
            [.. frameIndex.Select(f => (float)f / fps)],
            frameIndex,
            [.. Enumerable.Repeat((long)index, n)],
            [.. frameIndex.Select(f => first + f)],
            [.. Enumerable.Repeat((long)task, n)]);
        frames.Add(row);
        using var group = writer.CreateRowGroup();
        await ParquetColumnWriter.WriteAsync(group, ActionField, row.Action, actions);
        await ParquetColumnWriter.WriteAsync(group, StateField, row.State, observations);
        await ParquetColumnWriter.WriteAsync(group, SourceField, row.Source);
        await ParquetColumnWriter.WriteAsync(group, InterventionField, row.Intervention);
        await ParquetColumnWriter.WriteAsync(group, TickField, row.Tick);
        await ParquetColumnWriter.WriteAsync(group, FlagsField, row.Flags);
        await ParquetColumnWriter.WriteAsync(group, OperatorField, row.Operator);
        await ParquetColumnWriter.WriteAsync(group, TimestampField, row.Timestamp);
        await ParquetColumnWriter.WriteAsync(group, FrameIndexField, row.FrameIndex);
        await ParquetColumnWriter.WriteAsync(group, EpisodeIndexField, row.EpisodeIndex);
        await ParquetColumnWriter.WriteAsync(group, IndexField, row.Index);
        await ParquetColumnWriter.WriteAsync(group, TaskIndexField, row.TaskIndex);
    }

    /// <summary><c>meta/episodes/chunk-000/file-000.parquet</c>: one row per episode, the checklist's columns and ours.</summary>
    private static async Task WriteEpisodesAsync(IReadOnlyList<TeleopEpisode> episodes, string root, List<string> tasks, List<Placement> placements)
    {
        var index = ParquetColumnWriter.Scalar<long>("episode_index");
        var taskList = ParquetColumnWriter.Strings("tasks");
        var length = ParquetColumnWriter.Scalar<long>("length");
        var dataChunk = ParquetColumnWriter.Scalar<long>("data/chunk_index");
        var dataFile = ParquetColumnWriter.Scalar<long>("data/file_index");
        var from = ParquetColumnWriter.Scalar<long>("dataset_from_index");
        var to = ParquetColumnWriter.Scalar<long>("dataset_to_index");
        var metaChunk = ParquetColumnWriter.Scalar<long>("meta/episodes/chunk_index");
        var metaFile = ParquetColumnWriter.Scalar<long>("meta/episodes/file_index");
        var success = ParquetColumnWriter.Scalar<bool>("success");
        var outcome = ParquetColumnWriter.Scalar<string>("outcome");
        var log = ParquetColumnWriter.Scalar<string>("log_file");
        var logEpisode = ParquetColumnWriter.Scalar<long>("log_episode_id");
        var schema = new ParquetSchema(index, taskList, length, dataChunk, dataFile, from, to, metaChunk, metaFile, success, outcome, log, logEpisode);
        var open = await ParquetColumnWriter.CreateAsync(Path.Combine(root, "meta", "episodes", "chunk-000", "file-000.parquet"), schema);
        try
        {
            int n = episodes.Count;
            using var group = open.Writer.CreateRowGroup();
            await ParquetColumnWriter.WriteAsync(group, index, Enumerable.Range(0, n).Select(i => (long)i).ToArray());
            await ParquetColumnWriter.WriteAsync(group, taskList, [.. episodes.Select(e => (IReadOnlyList<string>)[TaskOf(e)])]);
            await ParquetColumnWriter.WriteAsync(group, length, placements.Select(p => p.To - p.From).ToArray());
            await ParquetColumnWriter.WriteAsync(group, dataChunk, placements.Select(p => (long)p.Chunk).ToArray());
            await ParquetColumnWriter.WriteAsync(group, dataFile, placements.Select(p => (long)p.File).ToArray());
            await ParquetColumnWriter.WriteAsync(group, from, placements.Select(p => p.From).ToArray());
            await ParquetColumnWriter.WriteAsync(group, to, placements.Select(p => p.To).ToArray());
            await ParquetColumnWriter.WriteAsync(group, metaChunk, new long[n]);
            await ParquetColumnWriter.WriteAsync(group, metaFile, new long[n]);
            await ParquetColumnWriter.WriteAsync(group, success, episodes.Select(e => e.Outcome == EpisodeOutcome.Success).ToArray());
            await ParquetColumnWriter.WriteAsync(group, outcome, [.. episodes.Select(e => OutcomeNames.Of(e.Outcome))]);
            await ParquetColumnWriter.WriteAsync(group, log, [.. episodes.Select(e => e.SourcePath)]);
            await ParquetColumnWriter.WriteAsync(group, logEpisode, episodes.Select(e => (long)e.Id).ToArray());
        }
        finally
        {
            await Close(open);
        }
    }

    /// <summary>
    /// <c>meta/tasks.parquet</c> as pandas writes <c>DataFrame(task_index, index=task)</c>: LeRobot's loader reads it
    /// with pandas and looks a frame's task up by the index, which only the <c>pandas</c> metadata makes the task column.
    /// </summary>
    private static async Task WriteTasksAsync(string root, List<string> tasks)
    {
        var taskIndex = ParquetColumnWriter.Scalar<long>("task_index");
        var task = ParquetColumnWriter.Scalar<string>("task");
        var open = await ParquetColumnWriter.CreateAsync(Path.Combine(root, "meta", "tasks.parquet"), new ParquetSchema(taskIndex, task));
        try
        {
            open.Writer.CustomMetadata = new Dictionary<string, string> { ["pandas"] = PandasIndexMetadata };
            using var group = open.Writer.CreateRowGroup();
            await ParquetColumnWriter.WriteAsync(group, taskIndex, Enumerable.Range(0, tasks.Count).Select(i => (long)i).ToArray());
            await ParquetColumnWriter.WriteAsync(group, task, tasks);
        }
        finally
        {
            await Close(open);
        }
    }

    /// <summary>What pandas (through pyarrow) records for a frame with an int64 column <c>task_index</c> indexed by the string <c>task</c>.</summary>
    private static readonly string PandasIndexMetadata = new JsonObject
    {
        ["index_columns"] = new JsonArray("task"),
        ["column_indexes"] = new JsonArray(new JsonObject
        {
            ["name"] = null,
            ["field_name"] = null,
            ["pandas_type"] = "unicode",
            ["numpy_type"] = "object",
            ["metadata"] = new JsonObject { ["encoding"] = "UTF-8" },
        }),
        ["columns"] = new JsonArray(
            new JsonObject { ["name"] = "task_index", ["field_name"] = "task_index", ["pandas_type"] = "int64", ["numpy_type"] = "int64", ["metadata"] = null },
            new JsonObject { ["name"] = "task", ["field_name"] = "task", ["pandas_type"] = "unicode", ["numpy_type"] = "object", ["metadata"] = null }),
        ["creator"] = new JsonObject { ["library"] = "robotics-trainer", ["version"] = "1" },
        ["pandas_version"] = "2.2.3",
    }.ToJsonString();

    private static JsonObject Info(TeleopEpisode first, int fps, int episodes, long frames, int tasks)
    {
        var features = new JsonObject
        {
            [LeRobotDataset.Action] = Feature("float32", first.Start.Actions.Count, first.Start.Actions.Select(s => s.Name)),
            [LeRobotDataset.State] = Feature("float32", first.Start.Observations.Count, first.Start.Observations.Select(s => s.Name)),
            [Source] = Feature("string"),
            [LeRobotDataset.Intervention] = Feature("bool"),
            [Tick] = Feature("int64"),
            [Flags] = Feature("int64"),
            [Operator] = Feature("string"),
            ["timestamp"] = Feature("float32"),
            ["frame_index"] = Feature("int64"),
            ["episode_index"] = Feature("int64"),
            ["index"] = Feature("int64"),
            ["task_index"] = Feature("int64"),
        };
        return new JsonObject
        {
            ["codebase_version"] = LeRobotInfo.V30,
            ["robot_type"] = first.Start.Robot,
            ["total_episodes"] = episodes,
            ["total_frames"] = frames,
            ["total_tasks"] = tasks,
            ["chunks_size"] = ChunksSize,
            ["data_files_size_in_mb"] = DataFilesSizeInMb,
            ["video_files_size_in_mb"] = VideoFilesSizeInMb,
            ["fps"] = fps,
            ["splits"] = new JsonObject { ["train"] = string.Create(CultureInfo.InvariantCulture, $"0:{episodes}") },
            ["data_path"] = DataPath,
            ["video_path"] = null,
            ["features"] = features,
        };
    }

    private static JsonObject Feature(string dtype, int width, IEnumerable<string> names) => new()
    {
        ["dtype"] = dtype,
        ["shape"] = new JsonArray(width),
        ["names"] = new JsonArray([.. names.Select(n => (JsonNode)n)]),
    };

    /// <summary>A per-frame scalar: shape (1,), no names (LeRobot's DEFAULT_FEATURES).</summary>
    private static JsonObject Feature(string dtype) => new() { ["dtype"] = dtype, ["shape"] = new JsonArray(1), ["names"] = null };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, IndentSize = 4 };

    private static void Write(string path, JsonObject json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json.ToJsonString(Indented));
    }
}
