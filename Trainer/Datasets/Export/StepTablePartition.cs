using System.Globalization;
using Parquet;
using E = Robotics.Trainer.Datasets.Export.StepTableExport;

namespace Robotics.Trainer.Datasets.Export;

/// <summary>
/// One <c>robot=…/date=…</c> folder of a step table being written: rows are buffered up to a row group
/// (<see cref="StepTableExport.RowGroupRows"/>) and written whole episodes at a time into <c>part-NNNNN.parquet</c>,
/// a new part past <see cref="StepTableExport.FileBytes"/>. Each file's key-value metadata names the robot's signals,
/// so a file copied out alone still says what its vectors hold.
/// </summary>
internal sealed class StepTablePartition(string folder, StepTableRobot robot) : IAsyncDisposable
{
    private readonly List<StepTableRows> _buffered = [];
    private int _bufferedRows;
    private (FileStream Stream, ParquetWriter Writer)? _open;

    /// <summary>Data files started so far.</summary>
    public int Files { get; private set; }

    public async Task AddAsync(StepTableRows episode)
    {
        _buffered.Add(episode);
        _bufferedRows += episode.Count;
        if (_bufferedRows >= E.RowGroupRows)
        {
            await FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await FlushAsync();
        }
        finally
        {
            await CloseAsync();
        }
    }

    private async Task FlushAsync()
    {
        if (_bufferedRows == 0)
        {
            return;
        }
        var rows = StepTableRows.Concat(_buffered);
        _buffered.Clear();
        _bufferedRows = 0;
        if (_open is null)
        {
            _open = await ParquetColumnWriter.CreateAsync(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"part-{Files++:00000}.parquet")), E.Schema);
            _open.Value.Writer.CustomMetadata = new Dictionary<string, string> { ["robotics.step_table.robot"] = StepTable.RobotJson(robot).ToJsonString() };
        }
        using (var group = _open.Value.Writer.CreateRowGroup())
        {
            await ParquetColumnWriter.WriteAsync(group, E.EpisodeIndexField, rows.EpisodeIndex);
            await ParquetColumnWriter.WriteAsync(group, E.LogFileField, rows.LogFile);
            await ParquetColumnWriter.WriteAsync(group, E.EpisodeIdField, rows.EpisodeId);
            await ParquetColumnWriter.WriteAsync(group, E.TickField, rows.Tick);
            await ParquetColumnWriter.WriteAsync(group, E.TimestampField, rows.TimestampNs);
            await ParquetColumnWriter.WriteAsync(group, E.UnixTimeField, rows.UnixTimeNs);
            await ParquetColumnWriter.WriteAsync(group, E.SourceField, rows.Source);
            await ParquetColumnWriter.WriteAsync(group, E.ExpertField, rows.Expert);
            await ParquetColumnWriter.WriteAsync(group, E.InterventionField, rows.Intervention);
            await ParquetColumnWriter.WriteAsync(group, E.HelpRequestedField, rows.HelpRequested);
            await ParquetColumnWriter.WriteAsync(group, E.FlagsField, rows.Flags);
            await ParquetColumnWriter.WriteAsync(group, E.OperatorField, rows.Operator);
            await ParquetColumnWriter.WriteAsync(group, E.TaskField, rows.Task);
            await ParquetColumnWriter.WriteAsync(group, E.OutcomeField, rows.Outcome);
            await ParquetColumnWriter.WriteAsync(group, E.UncertaintyField, rows.Uncertainty);
            await ParquetColumnWriter.WriteAsync(group, E.NoveltyField, rows.Novelty);
            await ParquetColumnWriter.WriteAsync(group, E.ObservationZField, rows.ObservationZ);
            await ParquetColumnWriter.WriteAsync(group, E.HelpTriggersField, rows.HelpTriggers);
            await ParquetColumnWriter.WriteAsync(group, E.LatenessField, rows.LatenessNs);
            await ParquetColumnWriter.WriteAsync(group, E.ObservationField, rows.Observations, rows.ObservationWidth);
            await ParquetColumnWriter.WriteAsync(group, E.ActionField, rows.Actions, rows.ActionWidth);
        }
        if (_open.Value.Stream.Position >= E.FileBytes)
        {
            await CloseAsync();
        }
    }

    private async Task CloseAsync()
    {
        if (_open is { } open)
        {
            _open = null;
            await open.Writer.DisposeAsync();
            await open.Stream.DisposeAsync();
        }
    }
}
