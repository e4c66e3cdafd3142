using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Protos.Control;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Remote;

/// <summary>
/// The operator's console (--console) in a real headless Chromium against a running controller: what an operator
/// does with the page, checked both on the page and independently through the robot's gRPC status.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class ConsoleBrowserTests(SimPolicies policies)
{
    private sealed record Robot(ControllerProcess Run, string ConsoleUrl, Telemetry.TelemetryClient Telemetry) : IDisposable
    {
        public async Task<Robotics.Protos.Control.Status> StatusAsync() =>
            await Telemetry.GetStatusAsync(new StatusRequest(), new Metadata { { "authorization", $"Bearer {RobotHarness.Token}" } });

        public void Dispose() => Run.Dispose();
    }

    /// <summary>One trigger in the help banner's reason, in words, with its value and threshold.</summary>
    private static readonly Regex BannerTrigger = new(
        @"^(?<name>uncertainty) (?<value>\d+\.\d\d) over (?<threshold>\d+\.\d\d)$" +
        @"|^(?<name>novelty) \(the members' disagreement\) (?<value>\d+\.\d\d) over (?<threshold>\d+\.\d\d)$" +
        @"|^(?<name>observation) (?<value>\d+\.\d) σ from training, over (?<threshold>\d+\.\d)$");

    /// <summary>The help request event's text as the robot words it from the same trigger bits (HelpTriggerTexts).</summary>
    private static readonly Regex RobotsWords = new(@": help requested: the robot asks for help: (?<names>.+) over (its threshold|their thresholds)$");

    private Task<Robot> StartAsync(params string[] more) => StartWithAsync(policies.Reach, more);

    private static async Task<Robot> StartWithAsync(string policy, params string[] more)
    {
        int port = FreePorts.Next();
        var run = ControllerProcess.Start(["run", "--robot", "sim:reach", "--policy", policy, "--until-stopped", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--console", $"http://127.0.0.1:{port}", .. more]);
        await run.WaitForLineAsync(line => line.StartsWith("console at ", StringComparison.Ordinal), Waits.Patience);
        string grpc = run.StdoutLines.First(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal)).Split(' ')[3];
        return new Robot(run, $"http://127.0.0.1:{port}/", new Telemetry.TelemetryClient(GrpcChannel.ForAddress(grpc)));
    }

    private static async Task LogInAsync(HeadlessBrowser browser, string url, string token)
    {
        await browser.GotoAsync(url);
        await browser.WaitForAsync("document.getElementById('login').open", "the login dialog");
        await browser.FillAsync("#token", token);
        await browser.FillAsync("#operator", "ana");
        await browser.ClickAsync("#connect");
    }

    /// <summary>
    /// The help banner names the triggers the robot says fired (the event's text, which the controller words from the
    /// same help_triggers bits, in the page's event list), each with a value at or over its threshold.
    /// </summary>
    private static async Task AssertTheBannerNamesWhatFiredAsync(HeadlessBrowser browser)
    {
        // Both read in one turn of the page's script: the banner and the newest request's event line are set together.
        var read = (await browser.EvaluateAsync("[document.getElementById('help-why').textContent, "
            + "[...document.querySelectorAll('#events li')].find((li) => li.textContent.includes(': help requested: ')).textContent]"))!.AsArray();
        string banner = read[0]!.GetValue<string>(), eventLine = read[1]!.GetValue<string>();
        Assert.StartsWith("asked because: ", banner);
        var named = banner["asked because: ".Length..].Split("; ").Select(part =>
        {
            var trigger = BannerTrigger.Match(part);
            Assert.True(trigger.Success, $"the help banner's '{part}' is not a trigger with its value and threshold: {banner}");
            Assert.True(double.Parse(trigger.Groups["value"].Value, CultureInfo.InvariantCulture) >= double.Parse(trigger.Groups["threshold"].Value, CultureInfo.InvariantCulture),
                $"the help banner names '{part}', under its threshold");
            return trigger.Groups["name"].Value;
        }).ToList();
        var robotsWords = RobotsWords.Match(eventLine);
        Assert.True(robotsWords.Success, $"the help request's event line names no triggers: {eventLine}");
        // The robot says "observation z" where the banner says "observation … σ from training": their first words match.
        Assert.Equal(robotsWords.Groups["names"].Value.Split(", ").Select(name => name.Split(' ')[0]), named);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Waits.Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task An_operator_watches_is_asked_for_help_takes_over_with_keys_and_a_gamepad_hands_back_and_stops_the_robot()
    {
        using var robot = await StartAsync();
        await using var browser = HeadlessBrowser.Start();

        await LogInAsync(browser, robot.ConsoleUrl, RobotHarness.Token);

        await browser.WaitForAsync("document.getElementById('connection').textContent === 'live'", "the connection live");
        // The plots advance: frames keep coming, and the newest sits on the plot's caption.
        await browser.WaitForAsync("window.consoleStats.frames > 30", "30 frames");
        Assert.Equal("sim:reach", await browser.TextAsync("#robot"));
        Assert.Equal("policy", await browser.TextAsync("#source"));
        Assert.Matches(@"^-?\d+\.\d{3}$", await browser.TextAsync("#observation-0-value"));
        // What the help requests judge, each frame, against the thresholds in force.
        await browser.WaitForAsync("Number(document.getElementById('uncertainty-value').textContent) > 0", "the policy's uncertainty");
        Assert.Matches(@"asks above \d+\.\d\d\)$", await browser.TextAsync("figure:has(#uncertainty) figcaption span"));
        // A single network has no members to disagree: no novelty plot.
        Assert.False((bool)(await browser.EvaluateAsync("document.getElementById('novelty') !== null"))!);
        // sim:reach's policy asks for help in its first episodes: a banner saying why, and a sound.
        await browser.WaitForAsync("!document.getElementById('help').hidden", "the help banner");
        // The banner rises with the first flagged frame; the reason comes with the request's event.
        await browser.WaitForAsync("document.getElementById('help-why').textContent !== ''", "the help request's reason");
        await AssertTheBannerNamesWhatFiredAsync(browser);
        Assert.True((await browser.EvaluateAsync("window.__sounds.length"))!.GetValue<int>() > 0, "the help request made no sound");

        // Take over (Enter), hold q: the shoulder's torque goes to half its limit, and the robot reports the operator driving.
        await browser.PressAsync("Enter");
        await browser.WaitForAsync("document.getElementById('drive-state').textContent.startsWith('driving')", "the lease granted");
        await browser.KeyDownAsync("q");
        await browser.WaitForAsync("document.getElementById('applied-0').textContent === '1.500'", "the held key's command applied");
        await browser.WaitForAsync("document.getElementById('source').textContent === 'operator'", "telemetry showing the operator");
        Assert.Equal("ana", (await robot.StatusAsync()).OverrideOwner);
        await browser.KeyUpAsync("q");
        await browser.WaitForAsync("document.getElementById('applied-0').textContent === '0.000'", "the released key's centre applied");
        Assert.True((await browser.EvaluateAsync("window.consoleStats.keyToApplied.length"))!.GetValue<int>() > 0, "no key-to-applied latency measured");

        // A gamepad's left stick drives the same channel; hands off past the deadman, the commands stop and the robot says they went stale.
        await browser.EvaluateAsync("__fakePad.connect(); __fakePad.set([-0.5, 0, 0, 0])");
        await browser.WaitForAsync("document.getElementById('applied-0').textContent === '-1.500'", "the stick's command applied");
        await browser.EvaluateAsync("__fakePad.set([0, 0, 0, 0])");
        await browser.WaitForAsync("document.getElementById('drive-state').textContent.startsWith('hands off')", "the deadman handing back");

        // Release (Enter): the policy drives again.
        await browser.PressAsync("Enter");
        await browser.WaitForAsync("document.getElementById('drive-state').textContent.startsWith('not driving')", "the lease released");
        await browser.WaitForAsync("document.getElementById('source').textContent === 'policy'", "telemetry showing the policy again");
        Assert.Equal("", (await robot.StatusAsync()).OverrideOwner);

        await browser.ScreenshotAsync(Path.Combine(TestArtifacts.Directory, "console.png"));

        // STOP latches the e-stop; a takeover is then refused; releasing needs the box ticked first.
        await browser.ClickAsync("#stop");
        await browser.WaitForAsync("!document.getElementById('stopped').hidden", "the e-stop banner");
        Assert.True((await robot.StatusAsync()).EmergencyStopped);
        await browser.ClickAsync("#take");
        string refusal = (await browser.WaitForAsync(
            "document.getElementById('drive-state').textContent.startsWith('not driving (') && document.getElementById('drive-state').textContent", "the takeover refused"))!.GetValue<string>();
        Assert.Contains("emergency", refusal, StringComparison.OrdinalIgnoreCase);
        Assert.True((bool)(await browser.EvaluateAsync("document.getElementById('release-stop').disabled"))!);
        await browser.ClickAsync("#release-check");
        await browser.ClickAsync("#release-stop");
        await browser.WaitForAsync("document.getElementById('stopped').hidden", "the e-stop released");
        Assert.False((await robot.StatusAsync()).EmergencyStopped);

        // The robot stops: the page says so.
        robot.Run.Signal("TERM");
        await browser.WaitForAsync("!document.getElementById('down').hidden", "the robot-stopped banner");
        Assert.Equal(143, await robot.Run.WaitForExitAsync(Waits.Patience));
        Assert.DoesNotContain(await browser.LogAsync(), line => line.StartsWith("error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_ensembles_novelty_has_its_own_plot_against_its_threshold_and_the_help_banner_names_what_fired()
    {
        using var robot = await StartWithAsync(policies.ReachEnsemble);
        await using var browser = HeadlessBrowser.Start();

        await LogInAsync(browser, robot.ConsoleUrl, RobotHarness.Token);

        await browser.WaitForAsync("window.consoleStats.frames > 30", "30 frames");
        string caption = await browser.TextAsync("figure:has(#novelty) figcaption span");
        Assert.Matches(@"^novelty: its 5 networks' disagreement \(asks above \d+\.\d\d\)$", caption);
        using (var policy = new Robotics.Controller.Policy.PolicyRunner(policies.ReachEnsemble))
        {
            Assert.Contains(policy.Metadata.HelpNoveltyThreshold!.Value.ToString("F2", CultureInfo.InvariantCulture), caption);
        }
        await browser.WaitForAsync("Number(document.getElementById('novelty-value').textContent) > 0", "the members' disagreement plotted");
        await browser.WaitForAsync("!document.getElementById('help').hidden", "the help banner");
        // The banner rises with the first flagged frame; the reason comes with the request's event.
        await browser.WaitForAsync("document.getElementById('help-why').textContent !== ''", "the help request's reason");
        await AssertTheBannerNamesWhatFiredAsync(browser);
        Assert.DoesNotContain(await browser.LogAsync(), line => line.StartsWith("error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_control_panel_switches_the_mode_resets_the_episode_and_records_and_the_page_fits_a_tablet()
    {
        using var robot = await StartAsync();
        using var directory = new TempDirectory();
        string log = directory.File("from-the-console.mcap");
        await using var browser = HeadlessBrowser.Start();
        await LogInAsync(browser, robot.ConsoleUrl, RobotHarness.Token);
        await browser.WaitForAsync("document.getElementById('connection').textContent === 'live'", "the connection live");

        await browser.EvaluateAsync("document.getElementById('mode-select').value = 'MODE_TELEOP'");
        await browser.ClickAsync("#set-mode");
        await browser.WaitForAsync("document.getElementById('mode').textContent === 'teleop'", "teleop mode");
        Assert.Equal(Mode.Teleop, (await robot.StatusAsync()).Mode);

        ulong episode = (await robot.StatusAsync()).Episode;
        await browser.ClickAsync("#reset");
        await EventuallyAsync(async () => (await robot.StatusAsync()).Episode > episode, "a new episode");

        await browser.FillAsync("#record-path", log);
        await browser.ClickAsync("#record-start");
        await browser.WaitForAsync("document.getElementById('recording').textContent.startsWith('recording to')", "recording");
        Assert.Equal(log, (await robot.StatusAsync()).Recording);
        await browser.ClickAsync("#record-stop");
        await browser.WaitForAsync("document.getElementById('recording').textContent === 'not recording'", "the recording stopped");
        Assert.True(new FileInfo(log).Length > 0, "the console's recording is empty");

        // A tablet held upright: one column, nothing wider than the screen, STOP still on top.
        await browser.ViewportAsync(820, 1180);
        Assert.True((bool)(await browser.EvaluateAsync("document.documentElement.scrollWidth <= window.innerWidth"))!, "the page is wider than a tablet");
        Assert.True((bool)(await browser.EvaluateAsync("document.getElementById('stop').getBoundingClientRect().top < 120"))!);
        await browser.ScreenshotAsync(Path.Combine(TestArtifacts.Directory, "console-tablet.png"));

        robot.Run.Signal("TERM");
        Assert.Equal(143, await robot.Run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task A_categorical_policy_shows_the_probability_of_each_discrete_action()
    {
        int port = FreePorts.Next();
        using var run = ControllerProcess.Start(["run", "--robot", "sim:cartpole", "--policy", policies.CartPole, "--until-stopped", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--console", $"http://127.0.0.1:{port}"]);
        await run.WaitForLineAsync(line => line.StartsWith("console at ", StringComparison.Ordinal), Waits.Patience);
        await using var browser = HeadlessBrowser.Start();

        await LogInAsync(browser, $"http://127.0.0.1:{port}/", RobotHarness.Token);

        // The caption names the most likely of the robot's discrete actions, drawn from the frames' probabilities.
        await browser.WaitForAsync("window.consoleStats.robot?.discreteActions.length === 2 && window.consoleStats.robot.discreteActions.includes(document.getElementById('categorical-value')?.textContent)",
            "the most likely discrete action");

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task A_wrong_token_controls_nothing_and_a_tab_that_only_watches_cannot_drive()
    {
        using var robot = await StartAsync("--telemetry-without-token");
        await using var browser = HeadlessBrowser.Start();

        await LogInAsync(browser, robot.ConsoleUrl, "not-the-token");

        await browser.WaitForAsync("document.getElementById('login-problem').textContent === 'wrong token'", "the wrong token refused");
        Assert.Null(await browser.EvaluateAsync("sessionStorage.getItem('robot-token')"));

        // Watching a robot whose telemetry is open: the plots move, the controls are off, and forcing one is refused by the robot.
        await browser.ClickAsync("#watch");
        await browser.WaitForAsync("document.getElementById('connection').textContent === 'watching'", "watching");
        await browser.WaitForAsync("window.consoleStats.frames > 10", "frames while watching");
        Assert.True((bool)(await browser.EvaluateAsync("document.getElementById('take').disabled && document.getElementById('stop').disabled"))!);
        await browser.EvaluateAsync("document.getElementById('stop').disabled = false; document.getElementById('stop').click()");
        await browser.WaitForAsync("[...document.querySelectorAll('#events li')].some(li => li.textContent.includes('needs the robot'))", "the stop refused");
        var status = await robot.StatusAsync();
        Assert.False(status.EmergencyStopped);
        Assert.Equal("", status.OverrideOwner);

        robot.Run.Signal("TERM");
        Assert.Equal(143, await robot.Run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task Closing_the_tab_hands_the_robot_back()
    {
        using var robot = await StartAsync();
        var browser = HeadlessBrowser.Start();
        await LogInAsync(browser, robot.ConsoleUrl, RobotHarness.Token);
        await browser.WaitForAsync("document.getElementById('connection').textContent === 'live'", "the connection live");
        await browser.ClickAsync("#take");
        await browser.WaitForAsync("document.getElementById('drive-state').textContent.startsWith('driving')", "the lease granted");
        Assert.Equal("ana", (await robot.StatusAsync()).OverrideOwner);

        await browser.DisposeAsync();

        await EventuallyAsync(async () => (await robot.StatusAsync()).OverrideOwner == "", "the lease released");
        robot.Run.Signal("TERM");
        Assert.Equal(143, await robot.Run.WaitForExitAsync(Waits.Patience));
    }
}
