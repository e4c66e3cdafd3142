// The reference for recovery: which messages of a damaged MCAP file lie in chunks that pass their CRC, found
// with @mcap/core's own record parser rather than ours. Every offset holding the Chunk opcode is tried: the
// record must parse, decompress to its declared size, match its (non-zero) CRC and hold only well-formed
// Schema, Channel and Message records.
// Usage: node chunks.mjs FILE...  ->  one JSON object: { FILE: [{ offset, messages: [[channelId, sequence,
// logTime, sha256 of data], ...] }, ...], ... }
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { parseRecord } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { crc32 } from "@foxglove/crc";
// @mcap/core does not export its Reader, which parseRecord reads from; its file is imported directly.
import Reader from "./node_modules/@mcap/core/dist/esm/Reader.js";

const CHUNK_OPCODE = 0x06;

// @foxglove/wasm-lz4 (what @mcap/support's lz4 handler calls) reuses one LZ4F decompression context and never
// resets it after an error, so after the first damaged lz4 chunk every later one fails too. The same wasm
// decoder is called here with a fresh context after each error.
async function loadLz4() {
  const require = createRequire(import.meta.url);
  const module = await require("./node_modules/@foxglove/wasm-lz4/dist/wasm-lz4.js")();
  await module.ready;
  let context;
  return (src, destSize) => {
    const size = Number(destSize);
    const srcPointer = module._malloc(src.byteLength);
    const destPointer = module._malloc(size);
    try {
      new Uint8Array(module.HEAPU8.buffer, srcPointer, src.byteLength).set(src);
      context ??= module._createDecompressionContext();
      const resultSize = module._decompressFrame(context, destPointer, size, srcPointer, src.byteLength);
      if (resultSize === -1) {
        context = undefined;
        throw new Error("lz4 frame does not decompress");
      }
      return new Uint8Array(module.HEAPU8.buffer, destPointer, resultSize).slice();
    } finally {
      module._free(srcPointer);
      module._free(destPointer);
    }
  };
}

function chunkAt(bytes, view, offset, decompressHandlers) {
  let chunk;
  try {
    chunk = parseRecord(new Reader(view, offset), true);
  } catch {
    return undefined;
  }
  if (chunk?.type !== "Chunk" || chunk.uncompressedCrc === 0) return undefined;
  let records = chunk.records;
  try {
    if (chunk.compression !== "") {
      const decompress = decompressHandlers[chunk.compression];
      if (!decompress) return undefined;
      records = decompress(records, chunk.uncompressedSize);
    }
  } catch {
    return undefined;
  }
  if (BigInt(records.byteLength) !== chunk.uncompressedSize || crc32(records) !== chunk.uncompressedCrc) return undefined;
  const inner = new Reader(new DataView(records.buffer, records.byteOffset, records.byteLength));
  const messages = [];
  try {
    for (let record; (record = parseRecord(inner, true)); ) {
      if (record.type === "Message") {
        const hash = createHash("sha256").update(record.data).digest("hex");
        messages.push([record.channelId, record.sequence, record.logTime.toString(), hash]);
      } else if (record.type !== "Schema" && record.type !== "Channel") {
        return undefined;
      }
    }
  } catch {
    return undefined;
  }
  if (inner.bytesRemaining() !== 0) return undefined;
  return { offset, messages };
}

async function main(paths) {
  const decompressHandlers = { ...(await loadDecompressHandlers()), lz4: await loadLz4() };
  const result = {};
  for (const path of paths) {
    const bytes = new Uint8Array(await readFile(path));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const chunks = [];
    for (let offset = bytes.indexOf(CHUNK_OPCODE); offset >= 0; offset = bytes.indexOf(CHUNK_OPCODE, offset + 1)) {
      const chunk = chunkAt(bytes, view, offset, decompressHandlers);
      if (chunk) chunks.push(chunk);
    }
    result[path] = chunks;
  }
  return result;
}

main(process.argv.slice(2)).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(String(error?.stack ?? error));
    process.exit(1);
  },
);
