namespace Robotics.Tests.Support;

/// <summary>
/// The scripts of Firmware.Tests/datasets: DuckDB (@duckdb/node-api), a Parquet writer and reader that is not ours,
/// making LeRobot-layout fixtures at test time rather than binary files in git.
/// </summary>
public static class NodeDuckDb
{
    /// <summary>make-lerobot.mjs: a low-dimensional LeRobot dataset at <paramref name="root"/> (its options as the script's usage says).</summary>
    public static void MakeLeRobot(string root, params string[] options) => NodeScripts.Run("datasets", "DuckDB", "make-lerobot.mjs", [root, .. options]);
}
