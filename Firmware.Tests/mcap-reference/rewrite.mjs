// Rewrites an MCAP file with @mcap/core's writer, as another tool would write the same messages: without a
// chunk index (--no-chunk-index) or without chunks at all, messages straight in the data section (--no-chunks).
// Usage: node rewrite.mjs IN OUT (--no-chunks | --no-chunk-index)
import { readFile, writeFile } from "node:fs/promises";
import { McapStreamReader, McapWriter, TempBuffer } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";

async function main(input, output, mode) {
  if (mode !== "--no-chunks" && mode !== "--no-chunk-index") throw new Error(`unknown mode ${mode}`);
  const reader = new McapStreamReader({ decompressHandlers: await loadDecompressHandlers(), validateCrcs: true });
  reader.append(new Uint8Array(await readFile(input)));
  const buffer = new TempBuffer();
  const writer = new McapWriter({
    writable: buffer,
    useChunks: mode !== "--no-chunks",
    useChunkIndex: false,
    useMessageIndex: false,
    chunkSize: 4096,
  });
  await writer.start({ profile: "", library: "mcap-reference rewrite.mjs" });
  const schemaIds = new Map();
  const channelIds = new Map();
  let messages = 0;
  for (let record; (record = reader.nextRecord()); ) {
    switch (record.type) {
      case "Schema":
        if (!schemaIds.has(record.id)) schemaIds.set(record.id, await writer.registerSchema({ name: record.name, encoding: record.encoding, data: record.data }));
        break;
      case "Channel":
        if (!channelIds.has(record.id)) {
          channelIds.set(record.id, await writer.registerChannel({
            schemaId: schemaIds.get(record.schemaId) ?? 0, topic: record.topic, messageEncoding: record.messageEncoding, metadata: record.metadata,
          }));
        }
        break;
      case "Message":
        await writer.addMessage({ ...record, channelId: channelIds.get(record.channelId) });
        messages++;
        break;
    }
  }
  await writer.end();
  await writeFile(output, buffer.get());
  return { messages };
}

main(...process.argv.slice(2)).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(String(error?.stack ?? error));
    process.exit(1);
  },
);
