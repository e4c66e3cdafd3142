using System.Net.Sockets;
using System.Text;

namespace Robotics.Tests.Support;

/// <summary>
/// A stand-in for systemd's notification socket: a Unix datagram socket bound at a temporary path, which a process
/// started with NOTIFY_SOCKET set to <see cref="Path"/> sends its READY=1, WATCHDOG=1 and STOPPING=1 to.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly TempDirectory _directory = new();

    public NotifySocket()
    {
        Path = _directory.File("notify");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    public string Path { get; }

    /// <summary>The next notification, or null when none came within <paramref name="patience"/>.</summary>
    public async Task<string?> NextAsync(TimeSpan patience)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            int length = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Takes the notifications already queued, without waiting for more.</summary>
    public int Drain()
    {
        var buffer = new byte[4096];
        int drained = 0;
        while (_socket.Available > 0)
        {
            _socket.Receive(buffer);
            drained++;
        }
        return drained;
    }

    /// <summary>Notifications until one satisfies <paramref name="match"/>, that one included; fails after <see cref="Waits.Patience"/>.</summary>
    public async Task<List<string>> UntilAsync(Func<string, bool> match)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + Waits.Patience;
        while (DateTime.UtcNow < deadline)
        {
            string? next = await NextAsync(deadline - DateTime.UtcNow);
            if (next is null)
            {
                break;
            }
            seen.Add(next);
            if (match(next))
            {
                return seen;
            }
        }
        Assert.Fail($"no matching notification within {Waits.Patience}; got: {string.Join(" | ", seen)}");
        return seen;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _directory.Dispose();
    }
}
