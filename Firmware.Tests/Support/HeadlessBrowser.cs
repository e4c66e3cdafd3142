using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Robotics.Tests.Support;

/// <summary>
/// A real headless Chromium (Debian's chromium-headless-shell) driven by playwright-core under node
/// (Firmware.Tests/browser/driver.mjs), one command at a time: what a person does in the browser, and what the page
/// shows, for the console's tests and benchmark.
/// </summary>
public sealed class HeadlessBrowser : IAsyncDisposable
{
    /// <summary>The browser binary; ROBOT_TEST_CHROMIUM names another (e.g. /usr/bin/chromium).</summary>
    public static string Executable => Environment.GetEnvironmentVariable("ROBOT_TEST_CHROMIUM") ?? "/usr/bin/chromium-headless-shell";

    private readonly Process _node;
    private readonly Task<string> _stderr;
    private int _nextId;

    private HeadlessBrowser(Process node)
    {
        _node = node;
        _stderr = node.StandardError.ReadToEndAsync();
    }

    public static HeadlessBrowser Start()
    {
        string directory = Path.Combine(RepoPaths.Root, "Firmware.Tests", "browser");
        Assert.True(File.Exists(Executable), $"{Executable} is missing: apt-get install chromium-headless-shell (.ci/run does)");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules", "playwright-core")),
            $"{directory}/node_modules is missing: run `npm ci --prefix Firmware.Tests/browser` (.ci/run does)");
        var start = new ProcessStartInfo("node", [Path.Combine(directory, "driver.mjs"), Executable])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return new HeadlessBrowser(Process.Start(start)!);
    }

    public Task GotoAsync(string url) => DoAsync("goto", new() { ["url"] = url });

    public Task FillAsync(string selector, string text) => DoAsync("fill", new() { ["selector"] = selector, ["text"] = text });

    public Task ClickAsync(string selector) => DoAsync("click", new() { ["selector"] = selector });

    public Task KeyDownAsync(string key) => DoAsync("keyDown", new() { ["key"] = key });

    public Task KeyUpAsync(string key) => DoAsync("keyUp", new() { ["key"] = key });

    public Task PressAsync(string key) => DoAsync("press", new() { ["key"] = key });

    /// <summary>Waits (within the tests' patience) until the page's <paramref name="js"/> is truthy, and returns its value.</summary>
    public async Task<JsonNode?> WaitForAsync(string js, string what)
    {
        var answer = await SendAsync("waitFor", new() { ["js"] = js, ["timeoutMs"] = Waits.Patience.TotalMilliseconds });
        if (answer["ok"]!.GetValue<bool>())
        {
            return answer["value"];
        }
        Assert.Fail($"the page never showed {what} ({js}): {answer["error"]}; the page's log: {string.Join(" | ", await LogAsync())}");
        return null;
    }

    public async Task<JsonNode?> EvaluateAsync(string js) => await DoAsync("evaluate", new() { ["js"] = js });

    public async Task<string> TextAsync(string selector) => (await EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).textContent"))!.GetValue<string>();

    public Task ScreenshotAsync(string path) => DoAsync("screenshot", new() { ["path"] = path });

    /// <summary>Resizes the page's window, e.g. to a tablet's.</summary>
    public Task ViewportAsync(int width, int height) => DoAsync("viewport", new() { ["width"] = width, ["height"] = height });

    /// <summary>What the page wrote to its console, and its uncaught errors.</summary>
    public async Task<IReadOnlyList<string>> LogAsync() => (await DoAsync("log", []))!.AsArray().Select(line => line!.GetValue<string>()).ToList();

    private async Task<JsonNode?> DoAsync(string command, JsonObject arguments)
    {
        var answer = await SendAsync(command, arguments);
        Assert.True(answer["ok"]!.GetValue<bool>(), $"the browser could not {command} {arguments.ToJsonString()}: {answer["error"]}");
        return answer["value"];
    }

    private async Task<JsonObject> SendAsync(string command, JsonObject arguments)
    {
        arguments["id"] = ++_nextId;
        arguments["do"] = command;
        await _node.StandardInput.WriteLineAsync(arguments.ToJsonString());
        await _node.StandardInput.FlushAsync();
        using var patience = new CancellationTokenSource(Waits.Patience + Waits.Patience);
        string? line = await _node.StandardOutput.ReadLineAsync(patience.Token);
        Assert.True(line is not null, $"the browser driver exited: {(_node.HasExited ? await _stderr : "")}");
        return JsonNode.Parse(line)!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            try
            {
                await _node.StandardInput.WriteLineAsync("""{"do":"close"}""");
                await _node.StandardInput.FlushAsync();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _node.WaitForExitAsync(grace.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                _node.Kill(entireProcessTree: true);
            }
        }
        _node.Dispose();
    }
}
