using System.Runtime.InteropServices;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Shared;
using Robotics.Hardware.Simulation;

namespace Robotics.Tests.Link;

/// <summary>
/// The loop reads the operator's command cell each tick with one pread of its sequence, and reads the cell itself only
/// when the sequence moved: every command the gateway writes is seen, and bytes changed behind an unmoved sequence
/// (which no gateway following the protocol writes) never replace the copy already read whole.
/// </summary>
public sealed class GatewayFileReaderTests : IDisposable
{
    private readonly ReachSimulation _reach = new(seed: 1);
    private readonly LinkSegments _segments;
    private readonly SharedCell<LinkCommand> _cell;

    public GatewayFileReaderTests()
    {
        _segments = LoopLink.CreateSegments(LinkPaths.Unique(), _reach.Description, new LoopOptions { RateHz = 50 }, policy: null);
        int actions = _reach.Description.Actions.Count;
        _cell = new SharedCell<LinkCommand>(_segments.Gateway.Slice(LinkGeometry.Command, SharedCell.BytesFor<LinkCommand>(actions)), actions);
    }

    public void Dispose()
    {
        _segments.Dispose();
        _reach.Dispose();
    }

    [Fact]
    public void Every_new_command_is_read_and_bytes_changed_behind_an_unmoved_sequence_are_not()
    {
        var reader = _segments.GatewayReader;
        var values = new float[_reach.Description.Actions.Count];

        for (int sequence = 1; sequence <= 3; sequence++)
        {
            _cell.Publish(new LinkCommand { Lease = 7, Sequence = sequence }, [.. values.Select(_ => sequence * 0.1f)]);
            Assert.True(reader.TryReadCommand(out var header, values));
            Assert.Equal(sequence, header.Sequence);
            Assert.All(values, v => Assert.Equal(sequence * 0.1f, v));
            // Read again with nothing written: the same command.
            Assert.True(reader.TryReadCommand(out header, values));
            Assert.Equal(sequence, header.Sequence);
        }

        // A writer breaking the protocol: the command's sequence number and first value changed, the cell's own
        // sequence (its first 8 bytes, before the record) left alone.
        var bytes = _segments.Gateway.Bytes;
        int cell = checked((int)LinkGeometry.Command);
        BitConverter.TryWriteBytes(bytes[(cell + 8 + (int)Marshal.OffsetOf<LinkCommand>(nameof(LinkCommand.Sequence)))..], 99L);
        BitConverter.TryWriteBytes(bytes[(cell + (int)SharedCell.BytesFor<LinkCommand>(0))..], float.NaN);

        Assert.True(reader.TryReadCommand(out var unchanged, values));
        Assert.Equal(3, unchanged.Sequence);
        Assert.All(values, v => Assert.Equal(0.3f, v));

        // The next command written as the protocol says is read, whatever was scribbled before it.
        _cell.Publish(new LinkCommand { Lease = 7, Sequence = 4 }, [.. values.Select(_ => 0.4f)]);
        Assert.True(reader.TryReadCommand(out var next, values));
        Assert.Equal(4, next.Sequence);
        Assert.All(values, v => Assert.Equal(0.4f, v));
    }
}
