using PureHDF;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// Reads a numeric HDF5 dataset of a robomimic file whole, as float32, whatever width h5py stored it in: robosuite
/// records observations, actions and rewards as float64, <c>dones</c> as int64, and other writers use float32.
/// </summary>
internal static class RobomimicArrays
{
    /// <summary>Floating-point data of 4 or 8 bytes: what the trainer takes as a signal.</summary>
    public static bool IsFloat(IH5Dataset dataset) => dataset.Type.Class == H5DataTypeClass.FloatingPoint && dataset.Type.Size is 4 or 8;

    /// <summary>
    /// Strings, of fixed length (numpy's <c>S</c>, what robomimic's masks are) or variable (h5py's <c>string_dtype</c>,
    /// and what PureHDF writes): HDF5 stores the latter as variable-length sequences of one-byte characters.
    /// </summary>
    public static bool IsText(IH5DataType type) =>
        type.Class == H5DataTypeClass.String
        || (type.Class == H5DataTypeClass.VariableLength && type.VariableLength.BaseType is { Class: H5DataTypeClass.String } or { Class: H5DataTypeClass.FixedPoint, Size: 1 });

    /// <summary>The dataset's element type as numpy names it (<c>float64</c>, <c>uint8</c>), for messages.</summary>
    public static string TypeName(IH5Dataset dataset) => dataset.Type.Class switch
    {
        H5DataTypeClass.FloatingPoint => $"float{dataset.Type.Size * 8}",
        H5DataTypeClass.FixedPoint => $"{(dataset.Type.FixedPoint.IsSigned ? "int" : "uint")}{dataset.Type.Size * 8}",
        _ when IsText(dataset.Type) => "string",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The shape as numpy prints it: <c>[40, 84, 84, 3]</c>.</summary>
    public static string ShapeOf(IH5Dataset dataset) => $"[{string.Join(", ", dataset.Space.Dimensions)}]";

    /// <param name="where">The file and the dataset's path in it, which an error names.</param>
    public static float[] ReadFloats(IH5Dataset dataset, string where)
    {
        var type = dataset.Type;
        return (type.Class, type.Size) switch
        {
            (H5DataTypeClass.FloatingPoint, 4) => dataset.Read<float[]>(),
            (H5DataTypeClass.FloatingPoint, 8) => Narrow(dataset.Read<double[]>()),
            (H5DataTypeClass.FixedPoint, 8) when type.FixedPoint.IsSigned => [.. dataset.Read<long[]>().Select(v => (float)v)],
            (H5DataTypeClass.FixedPoint, 4) when type.FixedPoint.IsSigned => [.. dataset.Read<int[]>().Select(v => (float)v)],
            (H5DataTypeClass.FixedPoint, 1) => type.FixedPoint.IsSigned ? [.. dataset.Read<sbyte[]>().Select(v => (float)v)] : [.. dataset.Read<byte[]>().Select(v => (float)v)],
            _ => throw new InvalidDataException($"{where}: {TypeName(dataset)} data, not numbers the trainer reads (float32, float64, int8, int32, int64, uint8)"),
        };
    }

    /// <summary>A whole-number attribute (robomimic's <c>num_samples</c>: int64 from h5py, int32 from numpy writers).</summary>
    public static long ReadWhole(IH5Attribute attribute, string where) => (attribute.Type.Class, attribute.Type.Size) switch
    {
        (H5DataTypeClass.FixedPoint, 8) => attribute.Type.FixedPoint.IsSigned ? attribute.Read<long>() : (long)attribute.Read<ulong>(),
        (H5DataTypeClass.FixedPoint, 4) => attribute.Type.FixedPoint.IsSigned ? attribute.Read<int>() : attribute.Read<uint>(),
        _ => throw new InvalidDataException($"{where}: not a whole number"),
    };

    /// <summary>
    /// The signal names an object's <see cref="RobomimicMarkers.Names"/> attribute gives, one a column; null when it
    /// has none, or not <paramref name="width"/> strings (then the importer's own names stand).
    /// </summary>
    public static IReadOnlyList<string>? NamesOf(IH5Object item, int width)
    {
        if (!item.AttributeExists(RobomimicMarkers.Names))
        {
            return null;
        }
        var attribute = item.Attribute(RobomimicMarkers.Names);
        return IsText(attribute.Type) && attribute.Read<string[]>() is { } names && names.Length == width ? names : null;
    }

    private static float[] Narrow(double[] values)
    {
        var narrowed = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            narrowed[i] = (float)values[i];
        }
        return narrowed;
    }
}
