// An independent Foxglove client: Foxglove's own protocol library (@foxglove/ws-protocol) and protobufjs decoding each
// message from the schema the server advertised, as the Foxglove app does. It connects offering one subprotocol,
// subscribes to every channel, and after --seconds prints one JSON summary: what was negotiated, the server's info and
// channels, per topic the messages decoded, and the steps' ticks (so a test can check that none was skipped).
//   node client.mjs URL SUBPROTOCOL [--seconds S] [--send JSON] [--until-closed] [--stall S]
// --send sends one raw request instead of subscribing (a test of what the server refuses). --until-closed waits (at
// most S seconds) for the server to close the connection, printing {"firstStep":true} when the first step arrives so a
// test knows when to stop the robot; the summary is always the last line. --stall stops reading the socket for S
// seconds after the first step, as a viewer on a slow link or a busy laptop does.
import wsProtocol from "@foxglove/ws-protocol"; // a CommonJS package: its named exports are not importable
import WebSocket from "ws";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";

const { FoxgloveClient } = wsProtocol;
const [url, subprotocol, ...rest] = process.argv.slice(2);
const option = (name) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
const seconds = Number(option("--seconds") ?? 2);

const summary = { protocol: null, serverInfo: null, channels: [], topics: {}, statuses: [], errors: [], closed: null };
const ws = new WebSocket(url, [subprotocol]);
const client = new FoxgloveClient({ ws });
const decoders = new Map();

client.on("open", () => {
  summary.protocol = ws.protocol;
  if (option("--send")) ws.send(option("--send"));
});
client.on("serverInfo", (info) => (summary.serverInfo = info));
client.on("status", (status) => summary.statuses.push(status));
client.on("error", (error) => summary.errors.push(String(error)));
client.on("close", (event) => {
  summary.closed = { code: event.code, reason: event.reason };
  if (rest.includes("--until-closed")) finish();
});
client.on("advertise", (channels) => {
  for (const channel of channels) {
    summary.channels.push({ id: channel.id, topic: channel.topic, encoding: channel.encoding, schemaName: channel.schemaName, schemaEncoding: channel.schemaEncoding });
    const root = protobuf.Root.fromDescriptor(descriptor.FileDescriptorSet.decode(Buffer.from(channel.schema, "base64")));
    root.resolveAll();
    const type = root.lookupType(channel.schemaName);
    if (option("--send") === undefined) decoders.set(client.subscribe(channel.id), { topic: channel.topic, type });
    else for (const { id, channelId } of sentSubscriptions()) if (channelId === channel.id && !decoders.has(id)) decoders.set(id, { topic: channel.topic, type });
  }
});
// The subscriptions a raw --send request made (a test's malformed or partly valid request), to decode what they get.
function sentSubscriptions() {
  try {
    const request = JSON.parse(option("--send"));
    return request.op === "subscribe" && Array.isArray(request.subscriptions) ? request.subscriptions : [];
  } catch {
    return [];
  }
}
client.on("message", ({ subscriptionId, timestamp, data }) => {
  const decoder = decoders.get(subscriptionId);
  if (!decoder) return; // one in flight after an unsubscribe
  const message = decoder.type.toObject(decoder.type.decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)), { longs: String, enums: String });
  const topic = (summary.topics[decoder.topic] ??= { count: 0, first: null, last: null, logTimes: [], ticks: [], episodes: [] });
  topic.count++;
  if (decoder.topic === "/step" && topic.count === 1 && option("--stall")) {
    ws.pause();
    setTimeout(() => ws.resume(), Number(option("--stall")) * 1000);
  }
  if (decoder.topic === "/step" && topic.count === 1 && rest.includes("--until-closed")) console.log(JSON.stringify({ firstStep: true }));
  topic.first ??= message;
  topic.last = message;
  if (topic.logTimes.length < 5) topic.logTimes.push(String(timestamp));
  if (decoder.topic === "/step") {
    // toObject leaves out a field at its default, as tick 0 of an episode.
    topic.ticks.push(Number(message.tick ?? 0));
    topic.episodes.push(Number(message.episode_id ?? 0));
  }
});

function finish() {
  for (const topic of Object.values(summary.topics)) {
    // Steps that do not follow the one before (the next tick of its episode, or the first of the next episode): the
    // client missed steps between them.
    const follows = (i) =>
      (topic.episodes[i] === topic.episodes[i - 1] && topic.ticks[i] === topic.ticks[i - 1] + 1) ||
      (topic.episodes[i] === topic.episodes[i - 1] + 1 && topic.ticks[i] === 0);
    topic.gaps = topic.ticks.filter((_, i) => i > 0 && !follows(i)).length;
    delete topic.ticks;
    delete topic.episodes;
  }
  console.log(JSON.stringify(summary));
  process.exit(0);
}

setTimeout(() => {
  client.close();
  setTimeout(finish, 200);
}, seconds * 1000);
