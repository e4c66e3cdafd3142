using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Robotics.Tests.Support;

/// <summary>The console's session (/session) spoken directly, as a browser's page speaks it: JSON messages over a WebSocket.</summary>
public sealed class ConsoleClient : IDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[1 << 16];

    private ConsoleClient()
    {
    }

    public WebSocket Socket => _socket;

    /// <summary>Opens the session of the console at <paramref name="console"/> (http://host:port/), as its own page would (or as a page of <paramref name="origin"/>).</summary>
    public static async Task<ConsoleClient> OpenAsync(string console, string? origin = null)
    {
        var client = new ConsoleClient();
        client._socket.Options.SetRequestHeader("Origin", origin ?? console.TrimEnd('/'));
        await client._socket.ConnectAsync(new Uri(console.Replace("http://", "ws://", StringComparison.Ordinal) + "session"), CancellationToken.None);
        return client;
    }

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>The next message whose op is <paramref name="op"/> (and that <paramref name="match"/> accepts), skipping the stream of frames, statuses and events.</summary>
    public async Task<JsonElement> ReceiveAsync(string op, Func<JsonElement, bool>? match = null)
    {
        using var patience = new CancellationTokenSource(Waits.Patience);
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(_buffer.AsMemory(length), patience.Token);
                length += received.Count;
            }
            while (!received.EndOfMessage);
            Assert.True(received.MessageType != WebSocketMessageType.Close, $"the session closed ({_socket.CloseStatus} {_socket.CloseStatusDescription}) before a \"{op}\"");
            var message = JsonDocument.Parse(_buffer.AsMemory(0, length)).RootElement.Clone();
            if (message.GetProperty("op").GetString() == op && (match is null || match(message)))
            {
                return message;
            }
        }
    }

    /// <summary>Reads until the server closes the session, and says how.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Reason)> ClosedAsync()
    {
        using var patience = new CancellationTokenSource(Waits.Patience);
        while ((await _socket.ReceiveAsync(_buffer.AsMemory(), patience.Token)).MessageType != WebSocketMessageType.Close)
        {
        }
        return (_socket.CloseStatus, _socket.CloseStatusDescription);
    }

    public void Dispose() => _socket.Dispose();
}
