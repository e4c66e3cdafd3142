using System.Buffers.Binary;
using System.Diagnostics;

namespace Robotics.Tests.Support;

/// <summary>
/// A named pipe standing in for an input event device (/dev/input/eventN), written with real
/// <c>struct input_event</c> records: on 64-bit Linux (linux/input.h) a struct timeval (s64 seconds, s64
/// microseconds), then u16 type, u16 code, s32 value, 24 bytes, little-endian on x86-64 and arm64. Unplugging
/// deletes the node and closes the writing end, as udev removes a pulled device's node and its reader sees it go.
/// </summary>
public sealed class EventFifo : IDisposable
{
    // linux/input-event-codes.h
    public const ushort Sync = 0x00;
    public const ushort Key = 0x01;
    public const ushort Absolute = 0x03;
    public const ushort Report = 0;
    public const ushort Dropped = 3;
    public const ushort AbsX = 0x00;
    public const ushort AbsY = 0x01;
    public const ushort BtnSouth = 0x130;
    public const ushort KeyW = 17;
    public const ushort KeyS = 31;

    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);
    private Task<FileStream>? _writer;

    public EventFifo(string path)
    {
        Path = path;
        Plug();
    }

    public string Path { get; }

    /// <summary>Records written so far.</summary>
    public int Written { get; private set; }

    /// <summary>
    /// Makes the node and starts opening its writing end, which completes once the device under test opens it
    /// for reading (open(2) of a FIFO for writing waits for a reader), so the device sees this writer come and go.
    /// </summary>
    public void Plug()
    {
        using (var mkfifo = Process.Start("mkfifo", [Path]))
        {
            mkfifo.WaitForExit();
            if (mkfifo.ExitCode != 0)
            {
                throw new InvalidOperationException($"mkfifo {Path} failed ({mkfifo.ExitCode})");
            }
        }
        _writer = Task.Factory.StartNew(() => new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0), TaskCreationOptions.LongRunning);
    }

    /// <summary>Whether the device has opened the node (and so this writer is connected).</summary>
    public bool Connected => _writer is { IsCompletedSuccessfully: true };

    /// <summary>The events, then SYN_REPORT: one frame, in one write.</summary>
    public void Frame(params (ushort Type, ushort Code, int Value)[] events) => Write([.. events, (Sync, Report, 0)]);

    /// <summary>The records, in one write (atomic: under PIPE_BUF, pipe(7)).</summary>
    public void Write(params (ushort Type, ushort Code, int Value)[] events)
    {
        var bytes = new byte[24 * events.Length];
        long microseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        for (int i = 0; i < events.Length; i++)
        {
            var record = bytes.AsSpan(24 * i, 24);
            BinaryPrimitives.WriteInt64LittleEndian(record, microseconds / 1_000_000);
            BinaryPrimitives.WriteInt64LittleEndian(record[8..], microseconds % 1_000_000);
            BinaryPrimitives.WriteUInt16LittleEndian(record[16..], events[i].Type);
            BinaryPrimitives.WriteUInt16LittleEndian(record[18..], events[i].Code);
            BinaryPrimitives.WriteInt32LittleEndian(record[20..], events[i].Value);
        }
        Writer().Write(bytes);
        Written += events.Length;
    }

    /// <summary>The device is pulled: its node goes, then its events end.</summary>
    public void Unplug()
    {
        File.Delete(Path);
        Writer().Dispose();
        _writer = null;
    }

    public void Dispose()
    {
        if (_writer is { IsCompleted: false })
        {
            // The device never opened the node: be its reader so that the pending open returns.
            using var reader = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            _writer.Wait(OpenTimeout);
        }
        if (_writer is { IsCompletedSuccessfully: true })
        {
            _writer.Result.Dispose();
        }
        File.Delete(Path);
    }

    private FileStream Writer() =>
        _writer is not null && _writer.Wait(OpenTimeout) ? _writer.Result : throw new TimeoutException($"{Path}: the device did not open it");
}
