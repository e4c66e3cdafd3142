// What the operator's console costs the robot (issue: the console benchmark). A controller runs the simulated arm at
// 1 kHz with gRPC, the console and Foxglove served, recording every tick; four runs follow in the one process:
//   quiet        nobody connected;
//   foxglove     a Foxglove connection subscribed to /step that never reads (its queue and socket stay full);
//   console      that, plus the console open in headless Chromium, its operator holding the lease and pressing a key
//                five times a second;
//   quiet again  everybody gone.
// Per run: the loop's lateness (from the recording's per-tick lateness_ns, so measuring adds no client), the CPU the
// loop and gateway processes used, and, in the console run, each key press's time from the page's keydown to the
// robot's Applied ack for it (timed in the page).
//   node Firmware.Tests/browser/bench-console.mjs [--seconds 20] [--rate 1000] [--client-cpus 0] [--json] [--policy P]
//       [--controller "dotnet Controller/bin/Release/net10.0/controller.dll"] [--trainer "dotnet Trainer/bin/Release/net10.0/trainer.dll"]
// Without --policy it makes one for the rate (a policy is trained at one rate): 10 scripted-expert episodes, 5 epochs.
import { spawn, execFileSync } from "node:child_process";
import { readFileSync, rmSync, mkdtempSync } from "node:fs";
import { open } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";
import { waitFor } from "./page-wait.mjs";
import WebSocket from "ws";
import { McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seconds = Number(option("--seconds", "20"));
const rate = Number(option("--rate", "1000"));
const clientCpus = option("--client-cpus");
const controller = option("--controller", "dotnet Controller/bin/Release/net10.0/controller.dll").split(" ");
const trainer = option("--trainer", "dotnet Trainer/bin/Release/net10.0/trainer.dll").split(" ");
const chromiumPath = process.env.ROBOT_TEST_CHROMIUM ?? "/usr/bin/chromium-headless-shell";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line) => (args.includes("--json") ? console.error(line) : console.log(line));

// The clients stand for machines other than the robot: when asked, this process and the browser it starts keep to
// those CPUs, and the controller it starts gets them all back.
if (clientCpus) execFileSync("taskset", ["-a", "-p", "-c", clientCpus, String(process.pid)], { stdio: "ignore" });
const everyCpu = ["taskset", "-c", `0-${cpus().length - 1}`];

async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const token = randomBytes(16).toString("hex");
const work = mkdtempSync(join(tmpdir(), "bench-console-"));
const recording = join(work, "run.mcap");
let policy = option("--policy");
if (!policy) {
  say(`training a sim:reach policy at ${rate} Hz (--policy to bring one)`);
  const quiet = { stdio: ["ignore", "ignore", "inherit"] };
  execFileSync(controller[0], [...controller.slice(1), "run", "--robot", "sim:reach", "--mode", "teleop", "--rate", String(rate), "--episodes", "10",
    "--unpaced", "--no-realtime", "--record", join(work, "demos.mcap")], quiet);
  policy = join(work, "policy.onnx");
  execFileSync(trainer[0], [...trainer.slice(1), "train", "--data", join(work, "demos.mcap"), "--out", policy, "--epochs", "5"], quiet);
}
const [consolePort, foxglovePort] = [await freePort(), await freePort()];
const run = spawn(everyCpu[0], [...everyCpu.slice(1), ...controller, "run", "--robot", "sim:reach", "--policy", policy, "--rate", String(rate), "--until-stopped",
  "--record", recording, "--grpc", "http://127.0.0.1:0", "--token", token,
  "--console", `http://127.0.0.1:${consolePort}`, "--foxglove", `ws://127.0.0.1:${foxglovePort}`], { stdio: ["ignore", "pipe", "inherit"] });
const lines = [];
run.stdout.setEncoding("utf8");
run.stdout.on("data", (chunk) => lines.push(...chunk.split("\n")));
while (!lines.some((line) => line.startsWith("console at "))) {
  if (run.exitCode !== null) throw new Error(`the controller exited: ${lines.join("\n")}`);
  await sleep(100);
}
const gatewayPid = Number(/gateway process (\d+)/.exec(lines.find((line) => line.includes("gateway process")))[1]);
say(`controller ${run.pid} (loop) and ${gatewayPid} (gateway), ${rate} Hz, ${seconds} s a run`);

// CPU seconds a process has used (utime + stime, in clock ticks of 1/100 s: USER_HZ on Linux).
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const runs = [];
async function measure(name, during) {
  const start = { ns: BigInt(Date.now()) * 1_000_000n, loop: cpuSeconds(run.pid), gateway: cpuSeconds(gatewayPid), ms: performance.now() };
  const extra = await during();
  const wall = (performance.now() - start.ms) / 1000;
  runs.push({ name, startNs: start.ns, endNs: BigInt(Date.now()) * 1_000_000n, loopCpu: (cpuSeconds(run.pid) - start.loop) / wall, gatewayCpu: (cpuSeconds(gatewayPid) - start.gateway) / wall, ...extra });
  say(`  ${name} done`);
}

// A Foxglove viewer that subscribes to every step and then never reads a byte.
function stalledViewer() {
  const ws = new WebSocket(`ws://127.0.0.1:${foxglovePort}`, ["foxglove.sdk.v1"]);
  ws.on("message", (data, binary) => {
    if (binary) return;
    const message = JSON.parse(data.toString());
    if (message.op === "advertise") {
      ws.send(JSON.stringify({ op: "subscribe", subscriptions: [{ id: 0, channelId: message.channels.find((c) => c.topic === "/step").id }] }));
      ws.pause();
    }
  });
  return ws;
}

process.on("uncaughtException", (error) => {
  run.kill("SIGTERM");
  console.error(error);
  process.exit(1);
});
await measure("quiet", () => sleep(seconds * 1000));
const viewer = stalledViewer();
await measure("foxglove", () => sleep(seconds * 1000));
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
await measure("console", async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`http://127.0.0.1:${consolePort}/`);
  await page.fill("#token", token);
  await page.click("#connect");
  await waitFor(page, "document.getElementById('connection').textContent === 'live'");
  await page.keyboard.press("Enter");
  await waitFor(page, "document.getElementById('drive-state').textContent.startsWith('driving')");
  const end = performance.now() + seconds * 1000 - 1000;
  while (performance.now() < end) {
    await page.keyboard.down("q");
    await sleep(100);
    await page.keyboard.up("q");
    await sleep(100);
  }
  const stats = await page.evaluate(() => ({ keyToApplied: window.consoleStats.keyToApplied, frames: window.consoleStats.frames }));
  await page.keyboard.press("Enter");
  return stats;
});
await browser.close();
viewer.terminate();
await measure("quiet again", () => sleep(seconds * 1000));
run.kill("SIGTERM");
await new Promise((resolve) => run.once("exit", resolve));

// Each run's lateness from the recording: every tick, by its log time, a second trimmed at each end of a run.
const file = await open(recording);
const reader = await McapIndexedReader.Initialize({
  readable: { size: async () => BigInt((await file.stat()).size), read: async (offset, length) => {
    const buffer = Buffer.alloc(Number(length));
    await file.read(buffer, 0, Number(length), Number(offset));
    return buffer;
  } },
  decompressHandlers: await loadDecompressHandlers(),
});
const channel = [...reader.channelsById.values()].find((c) => c.topic === "/step");
const schema = reader.schemasById.get(channel.schemaId);
const Step = protobuf.Root.fromDescriptor(descriptor.FileDescriptorSet.decode(schema.data)).lookupType(schema.name);
const lateness = runs.map(() => []);
for await (const message of reader.readMessages({ topics: ["/step"] })) {
  const i = runs.findIndex((r) => message.logTime >= r.startNs + 1_000_000_000n && message.logTime < r.endNs - 1_000_000_000n);
  if (i >= 0) lateness[i].push((Step.decode(message.data).lateness_ns ?? 0) / 1000);
}
await file.close();
rmSync(work, { recursive: true });

const percentile = (values, p) => {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
};
const results = runs.map((r, i) => ({
  name: r.name, ticks: lateness[i].length,
  latenessUs: { p50: percentile(lateness[i], 0.5), p99: percentile(lateness[i], 0.99), p999: percentile(lateness[i], 0.999), max: percentile(lateness[i], 1) },
  loopCpuPercent: 100 * r.loopCpu, gatewayCpuPercent: 100 * r.gatewayCpu,
  ...(r.keyToApplied ? { keyPresses: r.keyToApplied.length, keyToAppliedMs: { p50: percentile(r.keyToApplied, 0.5), p99: percentile(r.keyToApplied, 0.99), max: percentile(r.keyToApplied, 1) }, framesDrawn: r.frames } : {}),
}));
const quietP99 = Math.max(results[0].latenessUs.p99, results[3].latenessUs.p99);
const summary = { rateHz: rate, seconds, runs: results,
  p99Ratio: { foxglove: results[1].latenessUs.p99 / quietP99, console: results[2].latenessUs.p99 / quietP99 } };
if (args.includes("--json")) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  console.log("run          ticks   lateness p50     p99   p99.9     max   loop CPU  gateway CPU");
  for (const r of results) {
    const u = r.latenessUs;
    console.log(`${r.name.padEnd(12)} ${String(r.ticks).padStart(6)} ${u.p50.toFixed(1).padStart(9)} µs ${u.p99.toFixed(1).padStart(7)} ${u.p999.toFixed(1).padStart(7)} ${u.max.toFixed(0).padStart(7)} ${r.loopCpuPercent.toFixed(1).padStart(8)} % ${r.gatewayCpuPercent.toFixed(1).padStart(9)} %`);
  }
  const c = results[2];
  console.log(`lateness p99 ÷ the quiet runs' (the larger): foxglove ${summary.p99Ratio.foxglove.toFixed(2)}, console ${summary.p99Ratio.console.toFixed(2)}`);
  console.log(`key press → Applied: p50 ${c.keyToAppliedMs.p50.toFixed(1)} ms, p99 ${c.keyToAppliedMs.p99.toFixed(1)} ms, max ${c.keyToAppliedMs.max.toFixed(1)} ms over ${c.keyPresses} presses; ${c.framesDrawn} frames reached the page`);
}
