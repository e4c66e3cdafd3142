using Robotics.Trainer.Datasets;

namespace Robotics.Trainer.Streaming;

/// <summary>One row group of one data file: the unit a streamed dataset is read in.</summary>
public sealed record StreamShard(string Root, string File, int RowGroup, long Rows)
{
    /// <summary>Every row group of <paramref name="files"/>, in file then row-group order, as shards of the dataset at <paramref name="root"/>.</summary>
    public static async Task<IReadOnlyList<StreamShard>> AllOfAsync(string root, IEnumerable<string> files)
    {
        var shards = new List<StreamShard>();
        foreach (string file in files)
        {
            await using var columns = await ParquetColumns.OpenAsync(file);
            for (int group = 0; group < columns.RowGroups; group++)
            {
                shards.Add(new StreamShard(root, file, group, columns.RowsIn(group)));
            }
        }
        return shards;
    }
}
