// A real browser for the tests: Debian's headless Chromium driven by playwright-core, commanded one JSON line at a
// time on standard input, each answered by one JSON line on standard output ({"id", "ok", "value" | "error"}):
//   goto URL · fill SELECTOR TEXT · click SELECTOR · keyDown/keyUp/press KEY · waitFor JS [timeoutMs] · evaluate JS ·
//   screenshot PATH · viewport WIDTH HEIGHT · log (the page's console and errors so far) · close
// Before the page's scripts run, two stand-ins are installed where a headless machine has no hardware: a gamepad the
// test moves (window.__fakePad) and a record of every sound the page starts (window.__sounds).
//   node driver.mjs [CHROMIUM]   (default /usr/bin/chromium-headless-shell)
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";
import { waitFor } from "./page-wait.mjs";

const browser = await chromium.launch({
  executablePath: process.argv[2] ?? "/usr/bin/chromium-headless-shell",
  headless: true,
  // The console beeps when the robot asks for help, without waiting for a click: as a browser set up for an operator.
  args: ["--autoplay-policy=no-user-gesture-required"],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
await context.addInitScript(() => {
  window.__sounds = [];
  const start = AudioScheduledSourceNode.prototype.start;
  AudioScheduledSourceNode.prototype.start = function (...args) {
    window.__sounds.push({ frequency: this.frequency?.value, state: this.context.state });
    return start.apply(this, args);
  };
  const state = { pad: null };
  navigator.getGamepads = () => [state.pad, null, null, null];
  const fire = (type, pad) => {
    const event = new Event(type);
    Object.defineProperty(event, "gamepad", { value: pad });
    window.dispatchEvent(event);
  };
  window.__fakePad = {
    connect() {
      state.pad = { id: "test pad (STANDARD GAMEPAD)", index: 0, connected: true, mapping: "standard", timestamp: performance.now(), axes: [0, 0, 0, 0],
        buttons: Array.from({ length: 17 }, () => ({ pressed: false, touched: false, value: 0 })) };
      fire("gamepadconnected", state.pad);
    },
    // A new snapshot per change, as a browser gives one per poll.
    set(axes) {
      state.pad = { ...state.pad, timestamp: performance.now(), axes };
    },
  };
});
const page = await context.newPage();
const log = [];
page.on("console", (message) => log.push(`${message.type()}: ${message.text()}`));
page.on("pageerror", (error) => log.push(`error: ${error.message}`));

const commands = {
  goto: ({ url }) => page.goto(url).then(() => null),
  fill: ({ selector, text }) => page.fill(selector, text),
  click: ({ selector }) => page.click(selector),
  keyDown: ({ key }) => page.keyboard.down(key),
  keyUp: ({ key }) => page.keyboard.up(key),
  press: ({ key }) => page.keyboard.press(key),
  waitFor: ({ js, timeoutMs }) => waitFor(page, js, timeoutMs),
  evaluate: ({ js }) => page.evaluate(js),
  screenshot: ({ path }) => page.screenshot({ path }).then(() => null),
  viewport: ({ width, height }) => page.setViewportSize({ width, height }),
  log: () => log,
  close: () => browser.close().then(() => process.exit(0)),
};

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  try {
    const value = await commands[command.do](command);
    console.log(JSON.stringify({ id: command.id, ok: true, value: value ?? null }));
  } catch (error) {
    console.log(JSON.stringify({ id: command.id, ok: false, error: String(error.message ?? error).split("\n")[0] }));
  }
}
await browser.close();
