using System.Globalization;
using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// Reads whole columns of one Parquet file (Parquet.Net) as the dataset readers need them: a fixed-width vector per
/// row (a LIST column, as LeRobot writes <c>observation.state</c>), or one number per row, every row present. A
/// column that is missing, of another type, holds a null or a vector of another width is one error naming the file
/// and the column.
/// </summary>
public sealed class ParquetColumns : IAsyncDisposable
{
    private readonly ParquetReader _reader;
    private readonly string _path;

    private ParquetColumns(ParquetReader reader, string path)
    {
        _reader = reader;
        _path = path;
        Rows = Enumerable.Range(0, reader.RowGroupCount).Sum(RowsIn);
    }

    public long Rows { get; }

    public static async Task<ParquetColumns> OpenAsync(string path)
    {
        try
        {
            return new ParquetColumns(await ParquetReader.CreateAsync(path), path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or Parquet.ParquetException)
        {
            throw new InvalidDataException($"{path}: not a readable Parquet file: {e.Message}", e);
        }
    }

    public bool Has(string column) => _reader.Schema.Fields.Any(f => f.Name == column);

    /// <summary>How many row groups the file has: the unit a streaming reader reads at a time.</summary>
    public int RowGroups => _reader.RowGroupCount;

    /// <summary>The rows of row group <paramref name="group"/>.</summary>
    public long RowsIn(int group)
    {
        using var reader = _reader.OpenRowGroupReader(group);
        return reader.RowCount;
    }

    /// <summary>A vector of <paramref name="width"/> floats per row, flat, row by row.</summary>
    public Task<float[]> VectorsAsync(string column, int width) => WholeAsync(g => VectorsAsync(column, width, g), width);

    /// <summary>Row group <paramref name="group"/>'s vectors of <paramref name="width"/> floats, flat, row by row.</summary>
    public async Task<float[]> VectorsAsync(string column, int width, int group)
    {
        var values = new float[RowsIn(group) * width];
        await VectorsAsync(column, width, group, values);
        return values;
    }

    /// <summary>
    /// Row group <paramref name="group"/>'s vectors into the start of <paramref name="into"/>: a streaming reader
    /// reuses one buffer for every row group rather than making garbage of each.
    /// </summary>
    public async Task VectorsAsync(string column, int width, int group, float[] into)
    {
        var field = Leaf(column, typeof(float), list: true);
        using var reader = _reader.OpenRowGroupReader(group);
        long firstRow = RowsBefore(group);
        using var raw = (RawColumnData<float>)await Read(reader, field);
        var repetition = raw.RepetitionLevels;
        var definition = raw.DefinitionLevels;
        long row = firstRow;
        int entries = 0;
        for (int i = 0; i < repetition.Length; i++)
        {
            if (repetition[i] == 0)
            {
                RequireWidth(column, width, row - 1, entries, i > 0);
                row++;
                entries = 0;
            }
            if (definition[i] != field.MaxDefinitionLevel)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{_path}: column {column}, row {row - 1}: a null or empty vector"));
            }
            entries++;
        }
        RequireWidth(column, width, row - 1, entries, repetition.Length > 0);
        if (row - firstRow != reader.RowCount)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{_path}: column {column}: {row - firstRow} vectors in row group {group} of {reader.RowCount} rows"));
        }
        raw.Values.CopyTo(into);
    }

    /// <summary>One 64-bit integer per row.</summary>
    public Task<long[]> LongsAsync(string column) => WholeAsync(g => LongsAsync(column, g), 1);

    /// <summary>Row group <paramref name="group"/>'s 64-bit integers, one per row.</summary>
    public Task<long[]> LongsAsync(string column, int group) => ScalarsAsync<long>(column, group);

    /// <summary>Row group <paramref name="group"/>'s 64-bit integers into the start of <paramref name="into"/>.</summary>
    public Task LongsAsync(string column, int group, long[] into) => ScalarsAsync(column, group, into);

    /// <summary>One boolean per row.</summary>
    public Task<bool[]> BooleansAsync(string column) => WholeAsync(g => BooleansAsync(column, g), 1);

    /// <summary>Row group <paramref name="group"/>'s booleans, one per row.</summary>
    public Task<bool[]> BooleansAsync(string column, int group) => ScalarsAsync<bool>(column, group);

    /// <summary>Row group <paramref name="group"/>'s booleans into the start of <paramref name="into"/>.</summary>
    public Task BooleansAsync(string column, int group, bool[] into) => ScalarsAsync(column, group, into);

    private async Task<T[]> WholeAsync<T>(Func<int, Task<T[]>> readGroup, int width)
    {
        var values = new T[Rows * width];
        long at = 0;
        for (int g = 0; g < _reader.RowGroupCount; g++)
        {
            var group = await readGroup(g);
            group.CopyTo(values, at);
            at += group.Length;
        }
        return values;
    }

    /// <summary>One non-null string per row.</summary>
    public Task<string[]> StringsAsync(string column) => WholeAsync(g => StringsAsync(column, g), 1);

    /// <summary>Row group <paramref name="group"/>'s strings, one per row, none null.</summary>
    public async Task<string[]> StringsAsync(string column, int group)
    {
        var field = Leaf(column, typeof(string), list: false);
        using var reader = _reader.OpenRowGroupReader(group);
        var read = new string?[reader.RowCount];
        try
        {
            await reader.ReadAsync(field, read.AsMemory());
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or Parquet.ParquetException)
        {
            throw new InvalidDataException($"{_path}: column {column}: {e.Message}", e);
        }
        if (read.Any(v => v is null))
        {
            throw new InvalidDataException($"{_path}: column {column} has nulls");
        }
        return read!;
    }

    private async Task<T[]> ScalarsAsync<T>(string column, int group)
        where T : struct
    {
        var values = new T[RowsIn(group)];
        await ScalarsAsync(column, group, values);
        return values;
    }

    private async Task ScalarsAsync<T>(string column, int group, T[] into)
        where T : struct
    {
        var field = Leaf(column, typeof(T), list: false);
        using var reader = _reader.OpenRowGroupReader(group);
        using var raw = (RawColumnData<T>)await Read(reader, field);
        if (raw.Values.Length != reader.RowCount)
        {
            throw new InvalidDataException($"{_path}: column {column} has nulls");
        }
        raw.Values.CopyTo(into);
    }

    private long RowsBefore(int group)
    {
        long rows = 0;
        for (int g = 0; g < group; g++)
        {
            rows += RowsIn(g);
        }
        return rows;
    }

    private async Task<RawColumnData> Read(ParquetRowGroupReader group, DataField field)
    {
        try
        {
            return await group.ReadRawColumnDataBaseAsync(field);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or Parquet.ParquetException)
        {
            throw new InvalidDataException($"{_path}: column {field.Path}: {e.Message}", e);
        }
    }

    private DataField Leaf(string column, Type type, bool list)
    {
        var top = _reader.Schema.Fields.FirstOrDefault(f => f.Name == column)
            ?? throw new InvalidDataException($"{_path}: no column {column}");
        var leaf = top switch
        {
            ListField { Item: DataField item } when list => item,
            DataField data when !list => data,
            _ => throw new InvalidDataException($"{_path}: column {column} is a {top.SchemaType}, not {(list ? "a list of numbers" : "one value per row")}"),
        };
        // Parquet.Net 6 describes a UTF-8 column's values as ReadOnlyMemory<char>, and reads them as strings.
        if (leaf.ClrType != type && !(type == typeof(string) && leaf.ClrType == typeof(ReadOnlyMemory<char>)))
        {
            throw new InvalidDataException($"{_path}: column {column} holds {leaf.ClrType.Name}, not {type.Name}");
        }
        return leaf;
    }

    private void RequireWidth(string column, int width, long row, int entries, bool any)
    {
        if (any && entries != width)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{_path}: column {column}, row {row}: {entries} entries where the dataset declares {width}"));
        }
    }

    public ValueTask DisposeAsync() => _reader.DisposeAsync();
}
