using Parquet;
using Parquet.Schema;

namespace Robotics.Trainer.Datasets.Export;

/// <summary>
/// The column shapes the exporters write through Parquet.Net, as pyarrow (LeRobot's writer) lays them out: a vector
/// per row is a LIST of non-null floats whose item is named <c>element</c>; scalars and strings are required columns.
/// Parquet.Net writes a row group column by column, in schema order.
/// </summary>
internal static class ParquetColumnWriter
{
    public static DataField Scalar<T>(string name) => new DataField<T>(name, nullable: false);

    public static ListField Vector(string name) => new(name, new DataField<float>("element", nullable: false));

    public static ListField Strings(string name) => new(name, new DataField<string>("element", nullable: false));

    public static Task WriteAsync<T>(ParquetRowGroupWriter group, DataField field, T[] values)
        where T : struct => group.WriteAsync<T>(field, values.AsMemory());

    public static Task WriteAsync(ParquetRowGroupWriter group, DataField field, IReadOnlyCollection<string> values) =>
        group.WriteAsync(field, values);

    /// <summary>Rows of <paramref name="width"/> floats, given flat row after row.</summary>
    public static Task WriteAsync(ParquetRowGroupWriter group, ListField field, float[] flat, int width)
    {
        var item = (DataField)field.Item;
        // Every entry present: each is defined to the item's full depth.
        int[] definitions = [.. Enumerable.Repeat(item.MaxDefinitionLevel, flat.Length)];
        return group.WriteAllPartsAsync<float>(item, flat.AsMemory(), definitions, Repetitions(Enumerable.Repeat(width, flat.Length / width)), CancellationToken.None);
    }

    /// <summary>One list of strings per row.</summary>
    public static Task WriteAsync(ParquetRowGroupWriter group, ListField field, IReadOnlyList<IReadOnlyList<string>> rows) =>
        group.WriteAsync((DataField)field.Item, [.. rows.SelectMany(r => r)], Repetitions(rows.Select(r => r.Count)));

    /// <summary>Parquet's repetition levels for lists of these lengths: 0 opens a row, 1 continues it.</summary>
    private static ReadOnlyMemory<int> Repetitions(IEnumerable<int> lengths) =>
        lengths.SelectMany(length => Enumerable.Range(0, length).Select(i => i == 0 ? 0 : 1)).ToArray();

    /// <summary>Opens a Parquet file for writing with LeRobot's compression (snappy).</summary>
    public static async Task<(FileStream Stream, ParquetWriter Writer)> CreateAsync(string path, ParquetSchema schema)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite);
        try
        {
            var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy });
            return (stream, writer);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }
}
