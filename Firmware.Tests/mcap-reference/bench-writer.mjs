// The peer in docs/benchmarks.md: the reference TypeScript MCAP writer (@mcap/core, what Foxglove's tools
// write with) recording the same synthetic ticks as `controller bench log`: protobuf Step messages
// (protobufjs, from Protos/proto) with N observations, M actions and the policy's mean and log σ, in
// 256 KiB chunks, uncompressed or zstd. It runs on the calling thread, so its per-step time is the whole
// encode + write, where ours is the hand-off to the writer thread.
// Usage: node bench-writer.mjs [--steps 200000] [--observations 64] [--actions 8] [--codec none|zstd] [--output FILE]
import { openSync, writeSync, closeSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { McapWriter } from "@mcap/core";
import zstd from "@foxglove/wasm-zstd";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const steps = Number(args.steps ?? 200000);
const observations = Number(args.observations ?? 64);
const actions = Number(args.actions ?? 8);
const codec = args.codec ?? "zstd";
const output = args.output ?? join(tmpdir(), `peer-${process.pid}.mcap`);
const rateHz = 1000;
const warmup = 5000;

// Same signals as SyntheticTelemetry.cs: slow sinusoids in [-1, 1], sensors and commands quantized to
// 4096 levels, policy outputs at full precision.
function table(width, seed, levels) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const frequencies = Array.from({ length: width }, () => 0.1 + 1.9 * random());
  const phases = Array.from({ length: width }, () => 2 * Math.PI * random());
  const rows = [];
  for (let row = 0; row < 4096; row++) {
    const t = row / rateHz;
    const step = levels > 0 ? 2 / levels : 1e-3;
    rows.push(Array.from({ length: width }, (_, c) => {
      const value = Math.sin(2 * Math.PI * frequencies[c] * t + phases[c]) + step * (random() - 0.5);
      return levels > 0 ? Math.round(value / step) * step : value;
    }));
  }
  return rows;
}

class SyncFileWritable {
  constructor(path) { this.fd = openSync(path, "w"); this.offset = 0n; }
  position() { return this.offset; }
  async write(buffer) { writeSync(this.fd, buffer); this.offset += BigInt(buffer.byteLength); }
  close() { closeSync(this.fd); }
}

async function main() {
  await zstd.isLoaded;
  const here = dirname(fileURLToPath(import.meta.url));
  const root = protobuf.loadSync(join(here, "../../Protos/proto/robotics/log/v1/teleop_log.proto"));
  const Step = root.lookupType("robotics.log.v1.Step");
  const schemaData = descriptor.FileDescriptorSet.encode(root.toDescriptor("proto3")).finish();

  const obs = table(observations, 1, 4096);
  const act = table(actions, 2, 4096);
  const policy = table(2 * actions, 3, 0);

  const file = new SyncFileWritable(output);
  const writer = new McapWriter({
    writable: file,
    chunkSize: 256 * 1024,
    compressChunk: codec === "zstd" ? (data) => ({ compression: "zstd", compressedData: zstd.compress(data, 3) }) : undefined,
  });
  await writer.start({ profile: "", library: "@mcap/core bench" });
  const schemaId = await writer.registerSchema({ name: "robotics.log.v1.Step", encoding: "protobuf", data: schemaData });
  const channelId = await writer.registerChannel({ schemaId, topic: "/step", messageEncoding: "protobuf", metadata: new Map() });

  const latencies = new Float64Array(steps);
  const append = async (tick) => {
    const row = tick % 4096;
    const time = process.hrtime.bigint();
    const data = Step.encode(Step.fromObject({
      timestampNs: time.toString(), episodeId: 1, tick, observation: obs[row], action: act[row],
      source: 2, policyMean: policy[row].slice(0, actions), policyLogStd: policy[row].slice(actions), flags: 0,
    })).finish();
    await writer.addMessage({ channelId, sequence: tick, logTime: time, publishTime: time, data });
  };
  for (let tick = 0; tick < warmup; tick++) await append(tick);

  const begin = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    await append(warmup + i);
    latencies[i] = Number(process.hrtime.bigint() - t0);
  }
  await writer.end();
  file.close();
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  const bytes = statSync(output).size;
  if (!args.output) unlinkSync(output);

  latencies.sort();
  const rank = (q) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))];
  console.log(JSON.stringify({
    peer: "@mcap/core McapWriter + protobufjs (node " + process.version + ")",
    codec, steps,
    step_ns_median: rank(0.5), step_ns_p99: rank(0.99), step_ns_p999: rank(0.999),
    steps_per_second: steps / seconds, file_mb_per_second: bytes / 1e6 / seconds, file_bytes: bytes, seconds,
  }));
}

main().catch((error) => { console.error(String(error?.stack ?? error)); process.exit(1); });
