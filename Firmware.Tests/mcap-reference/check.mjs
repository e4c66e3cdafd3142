// Independent check of a teleop log with the reference TypeScript MCAP library (@mcap/core), as
// Foxglove reads it: stream-reads every record with chunk CRC validation, recomputes the data-section
// CRC with @foxglove/crc, opens the file by its index (which validates the summary CRC), and decodes a
// Step with protobufjs from the FileDescriptorSet stored in the schema record.
// Usage: node check.mjs FILE  ->  prints one JSON object; exits 1 with the error on any failure.
import { readFile } from "node:fs/promises";
import { McapStreamReader, McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { crc32Init, crc32Update, crc32Final } from "@foxglove/crc";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";

const MAGIC_LENGTH = 8;
const RECORD_PREFIX_LENGTH = 9;

async function main(path) {
  const bytes = new Uint8Array(await readFile(path));
  const decompressHandlers = await loadDecompressHandlers();

  const stream = new McapStreamReader({ decompressHandlers, validateCrcs: true, includeChunks: true });
  stream.append(bytes);
  const topicsByChannel = new Map();
  const schemas = new Map();
  const messagesPerTopic = {};
  let chunks = 0;
  let dataEnd;
  let firstStep;
  for (let record; (record = stream.nextRecord()); ) {
    switch (record.type) {
      case "Schema":
        schemas.set(record.id, record);
        break;
      case "Channel":
        topicsByChannel.set(record.id, record);
        break;
      case "Chunk":
        chunks++;
        break;
      case "Message": {
        const topic = topicsByChannel.get(record.channelId).topic;
        messagesPerTopic[topic] = (messagesPerTopic[topic] ?? 0) + 1;
        if (topic === "/step" && firstStep === undefined) firstStep = record;
        break;
      }
      case "DataEnd":
        dataEnd = record;
        break;
    }
  }
  if (!stream.done()) throw new Error("the stream reader did not reach the end of the file");

  // Data Section CRC: every byte before the Data End record (mcap.dev/spec, "Data End").
  let dataCrcOk = null;
  if (dataEnd && dataEnd.dataSectionCrc !== 0) {
    const dataEndOffset = findDataEndOffset(bytes);
    const computed = crc32Final(crc32Update(crc32Init(), bytes.subarray(0, dataEndOffset)));
    dataCrcOk = computed === dataEnd.dataSectionCrc;
    if (!dataCrcOk) throw new Error(`data section CRC ${computed} != stored ${dataEnd.dataSectionCrc}`);
  }

  const indexed = await McapIndexedReader.Initialize({
    readable: {
      size: async () => BigInt(bytes.length),
      read: async (offset, length) => bytes.subarray(Number(offset), Number(offset + length)),
    },
    decompressHandlers,
  });
  let indexedMessages = 0;
  for await (const message of indexed.readMessages({ validateCrcs: true })) {
    void message;
    indexedMessages++;
  }

  let step = null;
  if (firstStep) {
    const channel = topicsByChannel.get(firstStep.channelId);
    const schema = schemas.get(channel.schemaId);
    const root = protobuf.Root.fromDescriptor(descriptor.FileDescriptorSet.decode(schema.data));
    const Step = root.lookupType(schema.name);
    const decoded = Step.toObject(Step.decode(firstStep.data), { longs: String, enums: String, defaults: true });
    step = { schema: schema.name, observation: decoded.observation, action: decoded.action, source: decoded.source, tick: decoded.tick };
  }

  return {
    library: "@mcap/core",
    profile: stream.profile ?? null,
    chunks,
    indexedChunks: indexed.chunkIndexes.length,
    messages: Object.values(messagesPerTopic).reduce((a, b) => a + b, 0),
    indexedMessages,
    statisticsMessages: indexed.statistics ? Number(indexed.statistics.messageCount) : null,
    messagesPerTopic,
    schemaEncodings: [...schemas.values()].map((s) => s.encoding),
    dataCrcOk,
    firstStep: step,
  };
}

// Walks the top-level records (chunks are skipped whole) to the Data End record's offset.
function findDataEndOffset(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = MAGIC_LENGTH;
  while (offset + RECORD_PREFIX_LENGTH <= bytes.length) {
    const opcode = bytes[offset];
    const length = Number(view.getBigUint64(offset + 1, true));
    if (opcode === 0x0f) return offset;
    offset += RECORD_PREFIX_LENGTH + length;
  }
  throw new Error("no Data End record");
}

main(process.argv[2]).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(String(error?.stack ?? error));
    process.exit(1);
  },
);
