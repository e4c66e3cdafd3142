using Robotics.Protos.Log;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.TeleopLog;

public sealed class TeleopLogRoundTripTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<McapCompression, TeleopLogAccess> CodecsAndReaders()
    {
        var data = new TheoryData<McapCompression, TeleopLogAccess>();
        foreach (var compression in Enum.GetValues<McapCompression>())
        {
            data.Add(compression, TeleopLogAccess.Sequential);
            data.Add(compression, TeleopLogAccess.Indexed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CodecsAndReaders))]
    public void Every_episode_and_step_comes_back_as_written(McapCompression compression, TeleopLogAccess access)
    {
        string path = _directory.File("log.mcap");
        TestLogs.Write(path, episodes: 3, stepsPerEpisode: 200,
            new TeleopLogWriterOptions { Compression = compression, ChunkSizeBytes = 4096, SyncEachChunk = false });

        var log = TeleopLogReader.Read(path, new TeleopLogReadOptions { Access = access });

        Assert.True(log.WasClosed);
        Assert.Empty(log.Issues);
        Assert.Equal(0, log.DroppedSteps);
        Assert.Equal([1ul, 2ul, 3ul], log.Episodes.Select(e => e.Id));
        foreach (var episode in log.Episodes)
        {
            Assert.Equal("sim:test", episode.Start.Robot);
            Assert.Equal(["q0", "q1", "q2", "q3", "q4", "q5"], episode.Start.Observations.Select(s => s.Name));
            Assert.Equal("N*m", episode.Start.Actions[1].Unit);
            Assert.Equal(100, episode.Start.ControlRateHz);
            Assert.Equal("reach", episode.Start.Task);
            Assert.Equal(episode.Id % 2 == 0 ? EpisodeOutcome.Success : EpisodeOutcome.Failure, episode.Outcome);
            Assert.Equal(episode.Id % 2 == 0 ? "target reached" : "timeout", episode.End!.Reason);
            Assert.Equal(200, episode.Steps.Count);
            for (int t = 0; t < episode.Steps.Count; t++)
            {
                var step = episode.Steps[t];
                Assert.Equal((ulong)t, step.Tick);
                Assert.Equal(TestLogs.Observation(episode.Id, step.Tick, 3), step.Observation[3]);
                Assert.Equal(TestLogs.Action(episode.Id, step.Tick, 1), step.Action[1]);
                Assert.Equal(t % 2 == 0 ? ActionSource.Teleop : ActionSource.Override, step.Source);
                Assert.Equal(t % 2 == 0 ? 0u : (uint)StepFlag.Intervention, step.Flags);
                Assert.Empty(step.PolicyMean);
            }
        }
    }

    [Fact]
    public void The_summary_indexes_every_chunk_and_counts_every_message()
    {
        string path = _directory.File("log.mcap");
        TestLogs.Write(path, episodes: 2, stepsPerEpisode: 300,
            new TeleopLogWriterOptions { Compression = McapCompression.Zstd, ChunkSizeBytes = 4096, SyncEachChunk = false });

        using var indexed = McapIndexedReader.Open(path);
        int messages = indexed.ReadMessages().Count();

        Assert.True(indexed.ChunkIndexes.Count > 5, $"expected several 4 KiB chunks, got {indexed.ChunkIndexes.Count}");
        Assert.Equal((ulong)messages, indexed.Statistics!.MessageCount);
        Assert.Equal(2 + 600 + 2, messages);
        Assert.Equal((uint)indexed.ChunkIndexes.Count, indexed.Statistics.ChunkCount);
        Assert.All(indexed.ChunkIndexes, chunk => Assert.Equal("zstd", chunk.Compression));
        var metadata = Assert.Single(indexed.Metadata, m => m.Name == TeleopTopics.MetadataName);
        Assert.Equal("0", metadata.Values[TeleopTopics.DroppedStepsKey]);
        Assert.Equal(["robotics.log.v1.EpisodeStart", "robotics.log.v1.Step", "robotics.log.v1.EpisodeEnd", "robotics.log.v1.RecorderStatus"],
            indexed.Schemas.Values.OrderBy(s => s.Id).Select(s => s.Name));
    }

    [Fact]
    public void Policy_outputs_are_recorded_when_a_policy_ran()
    {
        string path = _directory.File("policy.mcap");
        var robot = TestLogs.Robot(observations: 3, actions: 2);
        using (var writer = TeleopLogWriter.Create(path, robot))
        {
            writer.BeginEpisode(7, 1000);
            var step = new StepRecord
            {
                TimestampNs = 1000,
                EpisodeId = 7,
                Observation = new float[] { 1, 2, 3 },
                Action = new float[] { 0.5f, -0.5f },
                Source = ActionSource.Policy,
                Head = HeadKind.Gaussian,
                PolicyMean = new float[] { 0.4f, -0.6f },
                PolicyLogStd = new float[] { -1f, -2f },
                Flags = StepFlag.DeadlineOverrun | StepFlag.ActionClamped,
            };
            writer.Append(step);
            writer.EndEpisode(7, 2000, EpisodeOutcome.Aborted, "e-stop");
        }

        var recorded = Assert.Single(Assert.Single(TeleopLogReader.Read(path).Episodes).Steps);
        Assert.Equal(HeadKind.Gaussian, recorded.PolicyHead);
        Assert.Equal([0.4f, -0.6f], recorded.PolicyMean);
        Assert.Equal([-1f, -2f], recorded.PolicyLogStd);
        Assert.Equal((uint)(StepFlag.DeadlineOverrun | StepFlag.ActionClamped), recorded.Flags);
    }

    [Fact]
    public void A_step_that_does_not_fit_the_robot_is_refused_with_its_sizes()
    {
        using var writer = TeleopLogWriter.Create(_directory.File("shape.mcap"), TestLogs.Robot(observations: 3, actions: 2));
        var error = Assert.Throws<ArgumentException>(() => writer.Append(new StepRecord
        {
            Observation = new float[4],
            Action = new float[2],
        }));
        Assert.Contains("got 4 observations", error.Message);
        Assert.Contains("has 3 observations", error.Message);
    }

    [Theory]
    [InlineData(HeadKind.None, 2, 0)]
    [InlineData(HeadKind.Gaussian, 0, 2)]
    [InlineData(HeadKind.Categorical, 2, 0)]
    public void A_steps_policy_outputs_must_be_those_of_the_head_it_names(HeadKind head, int means, int logits)
    {
        // The head is stated, never guessed: outputs without a head, or of another head's shape, are refused.
        using var writer = TeleopLogWriter.Create(_directory.File("head.mcap"), TestLogs.Robot(observations: 3, actions: 2));
        var error = Assert.Throws<ArgumentException>(() => writer.Append(new StepRecord
        {
            Observation = new float[3],
            Action = new float[2],
            Head = head,
            PolicyMean = new float[means],
            PolicyLogStd = new float[means],
            PolicyLogits = new float[logits],
        }));
        Assert.Contains($"head {head}", error.Message);
    }

    [Fact]
    public void A_directory_is_searched_for_logs()
    {
        Directory.CreateDirectory(_directory.File("day1"));
        TestLogs.Write(_directory.File("day1/a.mcap"), 1, 5);
        TestLogs.Write(_directory.File("b.mcap"), 1, 5);
        File.WriteAllText(_directory.File("notes.txt"), "not a log");

        var found = TeleopLogReader.FindLogs(_directory.Path);

        Assert.Equal(["b.mcap", "a.mcap"], found.Select(Path.GetFileName));
    }
}
