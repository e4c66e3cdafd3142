using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Robotics.Controller.Shared;

namespace Robotics.Controller.Link;

/// <summary>
/// The loop process's reads of the gateway's segment, with pread(2) on a descriptor it holds, never through a mapping:
/// a gateway that shrinks its file (it may write it, so it may truncate it) would make a read through a mapping fault
/// with SIGBUS, which ends the process; a pread past the end only comes back short, and a short read is no data, like
/// any other garbage. Each read is a few dozen bytes from memory (the file is on tmpfs) and allocates nothing.
/// </summary>
public sealed class GatewayFileReader : IDisposable
{
    private const int ReadAttempts = 4;

    private readonly SafeFileHandle _file;
    private readonly LinkGeometry _geometry;
    private readonly byte[] _cell;
    private readonly byte[] _sequence = new byte[8];
    private readonly byte[] _request = new byte[Unsafe.SizeOf<LinkRequest>()];

    // The sequence of the consistent copy in _cell; odd (no consistent copy yet) at first, as no reader ever keeps one.
    private long _heldSequence = -1;

    public GatewayFileReader(string gatewayFile, LinkGeometry geometry)
    {
        _file = File.OpenHandle(gatewayFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _geometry = geometry;
        _cell = new byte[SharedCell.BytesFor<LinkCommand>(geometry.Layout.Actions)];
    }

    /// <summary>
    /// Loop: the operator's command cell, a consistent copy (its sequence even and the same before and after), or false
    /// after a few torn reads or a file cut short. What it copies is only bytes, for the caller to validate.
    /// </summary>
    public bool TryReadCommand(out LinkCommand header, Span<float> values)
    {
        long offset = LinkGeometry.Command;
        for (int attempt = 0; attempt < ReadAttempts; attempt++)
        {
            // The sequence, the cell, the sequence again, each its own read: each system call orders the reads around it,
            // which one copy of the whole cell would not on a weakly ordered CPU (arm64).
            if (!TryReadLong(offset, out long before) || (before & 1) != 0)
            {
                continue;
            }
            // The sequence of the copy already held: nothing was written since (every write moves it), so the copy is
            // current. One read instead of three on most ticks (an operator sends at 100 Hz, the loop reads at 1 kHz).
            if (before != _heldSequence)
            {
                if (RandomAccess.Read(_file, _cell, offset) != _cell.Length)
                {
                    break;
                }
                if (!TryReadLong(offset, out long after) || after != before || BitConverter.ToInt64(_cell, 0) != before)
                {
                    continue;
                }
                _heldSequence = before;
            }
            header = MemoryMarshal.Read<LinkCommand>(_cell.AsSpan(8));
            MemoryMarshal.Cast<byte, float>(_cell.AsSpan(SharedCell.ValuesOffset<LinkCommand>(), 4 * values.Length)).CopyTo(values);
            return true;
        }
        header = default;
        return false;
    }

    /// <summary>
    /// Link thread: request slot <paramref name="slot"/>, or false when the file is cut short. The id is read first, on its
    /// own: the gateway writes it after the fields, so fields read after it are at least as new (a request is not rewritten
    /// before the loop answers it); a copy whose id moved meanwhile is not taken.
    /// </summary>
    public bool TryReadRequest(int slot, out LinkRequest request)
    {
        long offset = _geometry.Requests + (long)slot * _request.Length;
        request = default;
        if (!TryReadLong(offset, out long id) || RandomAccess.Read(_file, _request, offset) != _request.Length)
        {
            return false;
        }
        request = MemoryMarshal.Read<LinkRequest>(_request);
        return request.Id == id;
    }

    /// <summary>Link thread: the gateway's presence (a torn copy at worst misjudges the heartbeat once), or its default when the file is cut short.</summary>
    public GatewayPresence ReadPresence()
    {
        Span<byte> bytes = stackalloc byte[Unsafe.SizeOf<GatewayPresence>()];
        return RandomAccess.Read(_file, bytes, 0) == bytes.Length ? MemoryMarshal.Read<GatewayPresence>(bytes) : default;
    }

    public void Dispose() => _file.Dispose();

    private bool TryReadLong(long offset, out long value)
    {
        bool whole = RandomAccess.Read(_file, _sequence, offset) == _sequence.Length;
        value = whole ? BitConverter.ToInt64(_sequence, 0) : 0;
        return whole;
    }
}
