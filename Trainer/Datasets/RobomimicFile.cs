using System.Globalization;
using PureHDF;
using PureHDF.VOL.Native;
using Robotics.Protos.Log;
using Robotics.Trainer.Data;

namespace Robotics.Trainer.Datasets;

/// <summary>One demo of a robomimic file: observations [frames, observation width] from the chosen obs keys, actions [frames, action width].</summary>
/// <param name="Index">N of its group's name <c>demo_N</c>.</param>
/// <param name="Rewards">Its <c>rewards</c>, one a frame; empty when it has none.</param>
/// <param name="Split">The side its file's masks put it on; null when the file has no masks.</param>
public sealed record RobomimicDemo(string Name, long Index, int Frames, float[] Observations, float[] Actions, float[] Rewards, SplitSide? Split)
{
    /// <summary>Each frame's source (<see cref="RobomimicMarkers"/>); empty when the file records none.</summary>
    public ActionSource[] Sources { get; init; } = [];

    /// <summary>Who drove each frame; empty when the file names nobody.</summary>
    public string[] Operators { get; init; } = [];

    /// <summary>The outcome the file records for it; null when it records none.</summary>
    public EpisodeOutcome? Outcome { get; init; }
}

/// <summary>
/// Reads the low-dimensional part of a robomimic HDF5 file (v0.5.0 layout, docs/dataset-formats.md §4): the demos
/// <c>data/demo_N</c> in the order of N, each one's chosen <c>obs/&lt;key&gt;</c> and its <c>actions</c>, the
/// environment from <c>data.attrs["env_args"]</c>, the split from <c>mask/train</c> and <c>mask/valid</c>. Every
/// demo must hold the chosen keys with its actions' number of frames; anything else is one error naming the file,
/// the demo and the field. PureHDF reads the file; nothing is read from a demo the masks leave out.
/// </summary>
public sealed class RobomimicFile
{
    private const string DemoPrefix = "demo_";

    private RobomimicFile(string path, RobomimicEnvArgs envArgs, IReadOnlyList<RobomimicObsKey> obsKeys, IReadOnlyList<string> actionNames,
        IReadOnlyList<RobomimicDemo> demos, IReadOnlyList<string> warnings)
    {
        Path = path;
        EnvArgs = envArgs;
        ObsKeys = obsKeys;
        ActionNames = actionNames;
        Demos = demos;
        Warnings = warnings;
    }

    public string Path { get; }

    public RobomimicEnvArgs EnvArgs { get; }

    /// <summary>The obs keys the observation is made of, in order.</summary>
    public IReadOnlyList<RobomimicObsKey> ObsKeys { get; }

    /// <summary>The action entries' names: those the file records (<see cref="RobomimicMarkers.Names"/>), else <c>action_0</c>, <c>action_1</c>…</summary>
    public IReadOnlyList<string> ActionNames { get; }

    public int ActionWidth => ActionNames.Count;

    public IReadOnlyList<RobomimicDemo> Demos { get; }

    /// <summary>What reading noticed, a line each naming the file: keys left out, the rate assumed, demos in neither mask.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public static bool IsFile(string path) =>
        System.IO.Path.GetExtension(path).ToLowerInvariant() is ".hdf5" or ".h5" && File.Exists(path);

    /// <param name="obsKeys">The keys <c>--obs-keys</c> named; null for every low-dimensional key, sorted by name.</param>
    public static RobomimicFile Read(string path, IReadOnlyList<string>? obsKeys)
    {
        try
        {
            using var file = H5File.OpenRead(path);
            return Read(file, path, obsKeys);
        }
        // PureHDF reports a file that is not HDF5, or is cut short, as a plain Exception ("The file is too small").
        catch (Exception e) when (e.GetType() == typeof(Exception) || e is EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: not a readable HDF5 file: {e.Message}", e);
        }
    }

    private static RobomimicFile Read(NativeFile file, string path, IReadOnlyList<string>? obsKeys)
    {
        if (!file.LinkExists("data") || file.Get("data") is not IH5Group data)
        {
            throw new InvalidDataException($"{path}: no data group: a robomimic file keeps its demos in data/demo_N");
        }
        if (!data.AttributeExists(RobomimicEnvArgs.Attribute))
        {
            throw new InvalidDataException($"{path}: data.attrs[\"{RobomimicEnvArgs.Attribute}\"] is missing: robomimic records the environment there (env_name, env_kwargs)");
        }
        var envArgs = RobomimicEnvArgs.Parse(path, data.Attribute(RobomimicEnvArgs.Attribute).Read<string>());
        var groups = data.Children().OfType<IH5Group>()
            .Select(g => (Group: g, Index: DemoIndex(g.Name)))
            .Where(d => d.Index is not null)
            .Select(d => (d.Group, Index: d.Index!.Value))
            .OrderBy(d => d.Index)
            .ToList();
        if (groups.Count == 0)
        {
            throw new InvalidDataException($"{path}: data holds no demo_N groups");
        }
        var warnings = new List<string>();
        var sides = RobomimicMasks.Read(file, path, [.. groups.Select(d => d.Group.Name)], warnings);
        var first = groups[0].Group;
        var (used, leftOut) = RobomimicObsKeys.Choose(path, KeysOf(first, path), obsKeys);
        warnings.AddRange(leftOut.Select(k => $"{path}: obs/{k.Name} ({k.Describe()}) left out: the trainer learns from low-dimensional obs keys (float [T] or [T, d])"));
        if (obsKeys is null)
        {
            warnings.Add($"{path}: the observation is obs keys {string.Join(", ", used.Select(k => k.Name))} (every low-dimensional one, by name; {RobomimicObsKeys.Option} chooses)");
        }
        if (envArgs.ControlFreq is null)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}: env_args has no env_kwargs.control_freq: taken as robosuite's default, {RobomimicEnvArgs.RobosuiteDefaultControlFreq} Hz"));
        }
        var demos = new List<RobomimicDemo>();
        int actionWidth = 0;
        foreach (var (group, index) in groups)
        {
            SplitSide? side = null;
            if (sides is not null)
            {
                if (!sides.TryGetValue(group.Name, out var assigned))
                {
                    continue;
                }
                side = assigned;
            }
            var demo = ReadDemo(group, index, path, used, side);
            int width = demo.Actions.Length / demo.Frames;
            if (actionWidth != 0 && width != actionWidth)
            {
                throw new InvalidDataException($"{path}: data/{group.Name}/actions has {width} entries a frame where data/{demos[0].Name}/actions has {actionWidth}");
            }
            actionWidth = width;
            demos.Add(demo);
        }
        if (sides is not null && groups.Count > demos.Count)
        {
            warnings.Add($"{path}: left out {groups.Count - demos.Count} demos in neither {RobomimicMasks.Train} nor {RobomimicMasks.Valid} (robomimic trains on neither): " +
                string.Join(", ", groups.Select(g => g.Group.Name).Where(name => !sides.ContainsKey(name))));
        }
        if (demos.Count == 0)
        {
            throw new InvalidDataException($"{path}: {RobomimicMasks.Train} and {RobomimicMasks.Valid} name no demo");
        }
        var actionNames = first.LinkExists("actions") && first.Get("actions") is IH5Dataset firstActions ? RobomimicArrays.NamesOf(firstActions, actionWidth) : null;
        return new RobomimicFile(path, envArgs, used,
            actionNames ?? [.. Enumerable.Range(0, actionWidth).Select(i => string.Create(CultureInfo.InvariantCulture, $"action_{i}"))], demos, warnings);
    }

    private static RobomimicDemo ReadDemo(IH5Group demo, long index, string path, IReadOnlyList<RobomimicObsKey> keys, SplitSide? side)
    {
        string where = $"{path}: data/{demo.Name}";
        if (!demo.LinkExists("actions") || demo.Get("actions") is not IH5Dataset actionSet)
        {
            throw new InvalidDataException($"{where} has no actions: the trainer learns a demo's actions [T, a]");
        }
        if (actionSet.Space.Rank != 2 || !RobomimicArrays.IsFloat(actionSet))
        {
            throw new InvalidDataException($"{where}/actions is {RobomimicArrays.TypeName(actionSet)} {RobomimicArrays.ShapeOf(actionSet)}: robomimic's actions are float [T, a]");
        }
        int frames = (int)actionSet.Space.Dimensions[0];
        int actionWidth = (int)actionSet.Space.Dimensions[1];
        if (frames == 0 || actionWidth == 0)
        {
            throw new InvalidDataException($"{where}/actions is {RobomimicArrays.ShapeOf(actionSet)}: no frames or no action entries");
        }
        if (demo.AttributeExists("num_samples") && RobomimicArrays.ReadWhole(demo.Attribute("num_samples"), $"{where}: attrs[\"num_samples\"]") is var samples && samples != frames)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{where}: attrs[\"num_samples\"] is {samples} but actions has {frames} frames"));
        }
        int width = keys.Sum(k => k.Width);
        var observations = new float[frames * width];
        int column = 0;
        foreach (var key in keys)
        {
            var values = ReadObs(demo, where, key, frames);
            for (int frame = 0; frame < frames; frame++)
            {
                values.AsSpan(frame * key.Width, key.Width).CopyTo(observations.AsSpan(frame * width + column));
            }
            column += key.Width;
        }
        var actions = RobomimicArrays.ReadFloats(actionSet, $"{where}/actions");
        var rewards = demo.LinkExists("rewards") && demo.Get("rewards") is IH5Dataset rewardSet ? RobomimicArrays.ReadFloats(rewardSet, $"{where}/rewards") : [];
        return new RobomimicDemo(demo.Name, index, frames, observations, actions, rewards, side)
        {
            Sources = RobomimicDemoMarkers.Sources(demo, where, frames),
            Operators = RobomimicDemoMarkers.Operators(demo, where, frames),
            Outcome = RobomimicDemoMarkers.Outcome(demo, where),
        };
    }

    private static float[] ReadObs(IH5Group demo, string where, RobomimicObsKey key, int frames)
    {
        string name = $"obs/{key.Name}";
        if (!demo.LinkExists(name) || demo.Get(name) is not IH5Dataset dataset)
        {
            throw new InvalidDataException($"{where} has no {name} (the first demo has it)");
        }
        var shape = dataset.Space.Dimensions;
        if (!RobomimicArrays.IsFloat(dataset) || shape.Length != key.Shape.Count || (shape.Length == 2 && (int)shape[1] != key.Width))
        {
            throw new InvalidDataException($"{where}/{name} is {RobomimicArrays.TypeName(dataset)} {RobomimicArrays.ShapeOf(dataset)} where the first demo's is {key.Describe()}");
        }
        if ((int)shape[0] != frames)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{where}/{name} has {shape[0]} frames but actions has {frames}: every obs key needs one entry per action"));
        }
        return RobomimicArrays.ReadFloats(dataset, $"{where}/{name}");
    }

    private static List<RobomimicObsKey> KeysOf(IH5Group demo, string path)
    {
        if (!demo.LinkExists("obs") || demo.Get("obs") is not IH5Group obs)
        {
            throw new InvalidDataException($"{path}: data/{demo.Name} has no obs group");
        }
        return [.. obs.Children().OfType<IH5Dataset>().Select(d =>
            new RobomimicObsKey(d.Name, RobomimicArrays.TypeName(d), RobomimicArrays.IsFloat(d), d.Space.Dimensions,
                d.Space.Rank == 2 ? RobomimicArrays.NamesOf(d, (int)d.Space.Dimensions[1]) : null))];
    }

    /// <summary>N of <c>demo_N</c> (robomimic sorts demos by <c>int(name[5:])</c>); null for any other name.</summary>
    private static long? DemoIndex(string name) =>
        name.StartsWith(DemoPrefix, StringComparison.Ordinal)
        && long.TryParse(name.AsSpan(DemoPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long index)
            ? index
            : null;
}
