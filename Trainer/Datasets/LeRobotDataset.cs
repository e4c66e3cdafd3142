using System.Globalization;

namespace Robotics.Trainer.Datasets;

/// <summary>One episode of a LeRobot dataset, frames in order: states [frames, state width], actions [frames, action width].</summary>
/// <param name="Interventions">Per frame, whether an operator drove it (the dataset's <c>intervention</c> column); empty when it has none.</param>
/// <param name="Sources">Per frame, who chose its action as <c>trainer log export</c> names it (teleop, policy, override,
/// safety, unspecified: the dataset's <c>source</c> column); empty when it has none.</param>
public sealed record LeRobotEpisode(string Source, long Index, int Frames, float[] States, float[] Actions, bool[] Interventions, string[] Sources);

/// <summary>
/// Reads the low-dimensional part of a LeRobot dataset (format v3.0 or v2.1): <c>observation.state</c> and
/// <c>action</c> per frame, grouped into episodes by <c>episode_index</c> and ordered by <c>frame_index</c>. Camera
/// features are listed in <see cref="SkippedFeatures"/> and not read: their frames live in video files.
/// </summary>
public sealed class LeRobotDataset
{
    public const string State = "observation.state";
    public const string Action = "action";
    public const string Intervention = "intervention";
    public const string ActionSource = "source";

    private LeRobotDataset(LeRobotInfo info, IReadOnlyList<LeRobotEpisode> episodes)
    {
        Info = info;
        Episodes = episodes;
    }

    public LeRobotInfo Info { get; }

    public IReadOnlyList<LeRobotEpisode> Episodes { get; }

    public LeRobotFeature StateFeature => Info.Feature(State)!;

    public LeRobotFeature ActionFeature => Info.Feature(Action)!;

    /// <summary>Features this reader leaves out: cameras, and anything that is neither the state nor the action nor bookkeeping.</summary>
    public IReadOnlyList<string> SkippedFeatures => Skipped(Info);

    /// <summary>The features of <paramref name="info"/> the trainer leaves out (<see cref="SkippedFeatures"/>).</summary>
    public static IReadOnlyList<string> Skipped(LeRobotInfo info) =>
        [.. info.Features.Where(f => f.Name is not (State or Action or Intervention or ActionSource or "timestamp" or "frame_index" or "episode_index" or "index" or "task_index")).Select(f => f.Name)];

    /// <summary>The line the trainer warns with for each feature it leaves out of the dataset at <paramref name="root"/>.</summary>
    public static IEnumerable<string> SkippedWarnings(LeRobotInfo info, string root) =>
        Skipped(info).Select(f => $"{root}: feature {f} left out: the trainer learns from {State} (low-dimensional)");

    public static bool IsDataset(string path) => File.Exists(Path.Combine(path, "meta", "info.json"));

    public static async Task<LeRobotDataset> ReadAsync(string root)
    {
        var info = LeRobotInfo.Read(root);
        var state = Require(info, State);
        var action = Require(info, Action);
        bool interventions = info.Feature(Intervention) is not null;
        bool sources = info.Feature(ActionSource) is { DType: "string" };
        var files = DataFiles(root);
        var frames = new List<(long Episode, long Frame, string File, float[] State, float[] Action, bool Intervention, string Source)>();
        foreach (string file in files)
        {
            await using var columns = await ParquetColumns.OpenAsync(file);
            var states = await columns.VectorsAsync(State, state.Width);
            var actions = await columns.VectorsAsync(Action, action.Width);
            var episodes = await columns.LongsAsync("episode_index");
            var frameIndices = await columns.LongsAsync("frame_index");
            var flags = interventions ? await columns.BooleansAsync(Intervention) : null;
            var drivers = sources ? await columns.StringsAsync(ActionSource) : null;
            for (long row = 0; row < columns.Rows; row++)
            {
                frames.Add((episodes[row], frameIndices[row], file, states.AsSpan((int)(row * state.Width), state.Width).ToArray(),
                    actions.AsSpan((int)(row * action.Width), action.Width).ToArray(), flags?[row] ?? false, drivers?[row] ?? ""));
            }
        }
        var read = new List<LeRobotEpisode>();
        foreach (var episode in frames.GroupBy(f => f.Episode).OrderBy(g => g.Key))
        {
            var ordered = episode.OrderBy(f => f.Frame).ToList();
            for (int i = 0; i < ordered.Count; i++)
            {
                if (ordered[i].Frame != i)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{ordered[i].File}: episode {episode.Key}: frame_index {ordered[i].Frame} where {i} was due (frames missing or repeated)"));
                }
            }
            read.Add(new LeRobotEpisode(ordered[0].File, episode.Key, ordered.Count, [.. ordered.SelectMany(f => f.State)], [.. ordered.SelectMany(f => f.Action)],
                interventions ? [.. ordered.Select(f => f.Intervention)] : [], sources ? [.. ordered.Select(f => f.Source)] : []));
        }
        return new LeRobotDataset(info, read);
    }

    /// <summary>The dataset's data files, data/**/*.parquet, in path order; none is an error.</summary>
    internal static IReadOnlyList<string> DataFiles(string root)
    {
        string data = Path.Combine(root, "data");
        var files = Directory.Exists(data) ? Directory.GetFiles(data, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];
        return files.Count > 0 ? files : throw new InvalidDataException($"{root}: no data/**/*.parquet files");
    }

    internal static LeRobotFeature Require(LeRobotInfo info, string name)
    {
        var feature = info.Feature(name) ?? throw new InvalidDataException($"{info.Path}: no feature {name}: the trainer learns {Action} from {State}");
        return feature.DType is "float32"
            ? feature
            : throw new InvalidDataException($"{info.Path}: features.{name}.dtype is '{feature.DType}': the trainer reads float32");
    }
}
