using System.Text.Json;

namespace Robotics.Tests.Support;

/// <summary>
/// The scripts of Firmware.Tests/datasets: DuckDB (@duckdb/node-api), a Parquet writer and reader that is not ours,
/// making LeRobot-layout fixtures at test time rather than binary files in git, and reading our exports back.
/// </summary>
public static class NodeDuckDb
{
    /// <summary>make-lerobot.mjs: a low-dimensional LeRobot dataset at <paramref name="root"/> (its options as the script's usage says).</summary>
    public static void MakeLeRobot(string root, params string[] options) => NodeScripts.Run("datasets", "DuckDB", "make-lerobot.mjs", [root, .. options]);

    /// <summary>query.mjs: each query's rows, as DuckDB's JSON form gives them (BIGINT as a string).</summary>
    public static JsonElement[] Query(params string[] queries)
    {
        using var json = JsonDocument.Parse(NodeScripts.Run("datasets", "DuckDB", "query.mjs", queries));
        return [.. json.RootElement.EnumerateArray().Select(rows => rows.Clone())];
    }

    /// <summary>A path as a DuckDB string literal.</summary>
    public static string Literal(string path) => $"'{path.Replace("'", "''")}'";
}
