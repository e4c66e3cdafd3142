using PureHDF;
using Robotics.Trainer.Data;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// A robomimic file's split: <c>mask/train</c> and <c>mask/valid</c>, arrays of demo names as byte strings
/// (<c>b"demo_0"</c>), which robomimic's <c>split_train_val.py</c> writes and its training reads as
/// <c>train.hdf5_filter_key</c> and <c>hdf5_validation_filter_key</c> (docs/dataset-formats.md §4.2).
/// </summary>
public static class RobomimicMasks
{
    public const string Train = "mask/train";
    public const string Valid = "mask/valid";

    /// <summary>
    /// Each demo's side; null when the file has not both masks (a warning when it has one). A demo in neither is
    /// absent from the map: robomimic trains on neither side's filter key only, so it learns nothing from that demo.
    /// </summary>
    /// <param name="demos">The demo groups of <c>data</c>; a mask that names another is one error.</param>
    public static IReadOnlyDictionary<string, SplitSide>? Read(IH5Group file, string path, IReadOnlyCollection<string> demos, List<string> warnings)
    {
        bool train = file.LinkExists(Train);
        bool valid = file.LinkExists(Valid);
        if (train != valid)
        {
            warnings.Add($"{path}: has {(train ? Train : Valid)} but not {(train ? Valid : Train)}: the episodes are split by --val-fraction and --seed");
        }
        if (!train || !valid)
        {
            return null;
        }
        var sides = new Dictionary<string, SplitSide>(StringComparer.Ordinal);
        foreach (var (mask, side) in new[] { (Train, SplitSide.Train), (Valid, SplitSide.Validation) })
        {
            foreach (string demo in Names(file.Dataset(mask), path, mask))
            {
                if (!demos.Contains(demo))
                {
                    throw new InvalidDataException($"{path}: {mask} names {demo}, which data does not hold");
                }
                if (!sides.TryAdd(demo, side))
                {
                    throw new InvalidDataException($"{path}: {demo} is in both {Train} and {Valid}: validation would score episodes trained on");
                }
            }
        }
        return sides;
    }

    private static string[] Names(IH5Dataset mask, string path, string name) =>
        RobomimicArrays.IsText(mask.Type) && mask.Space.Rank == 1
            ? mask.Read<string[]>()
            : throw new InvalidDataException($"{path}: {name} is {RobomimicArrays.TypeName(mask)} {RobomimicArrays.ShapeOf(mask)}, not a list of demo names (byte strings)");
}
