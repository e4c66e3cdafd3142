// Runs the User Scripts of a Foxglove layout the way the Foxglove app does, on recordings instead of the app:
//  1. type-checks each script's TypeScript (strict) against a `./types` module made from the recording's
//     schemas as Foxglove makes it (Input<"/topic">, repeated float as Float32Array, uint64 as bigint, enums as
//     numbers: lichtblick's generateTypesLib), so a field the script misnames or mistypes fails here as it would
//     in the app;
//  2. compiles it to CommonJS and loads it (its exports: inputs, output, the default function);
//  3. decodes every message of its input topics with protobufjs from the schema stored in the file (defaults on,
//     64-bit integers as bigint, enums as numbers, as Foxglove's protobuf decoder does) and calls the script on
//     each, in log-time order.
// Usage: node run-script.mjs LAYOUT.json FILE.mcap...  ->  one JSON object on stdout:
//   {"scripts": [{"id", "name", "inputs", "output"}],
//    "outputs": {FILE: [{"script", "episode", "tick", "message"}]}}   (episode and tick as strings)
// Exits 1 with the reason on stderr when a script does not type-check, compile, load or run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";
import ts from "typescript";

const compilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  lib: ["lib.es2022.d.ts"],
  types: [],
};

async function main(layoutPath, mcapPaths) {
  const layout = JSON.parse(readFileSync(layoutPath, "utf8"));
  const decompressHandlers = await loadDecompressHandlers();
  const recordings = [];
  for (const path of mcapPaths) recordings.push(await readRecording(path, decompressHandlers));

  const scripts = Object.entries(layout.userNodes ?? {}).map(([id, node]) => ({ id, ...node }));
  const loaded = scripts.map((node) => ({ node, module: load(node, recordings[0]) }));
  const outputs = {};
  for (const recording of recordings) {
    const results = (outputs[recording.path] = []);
    for (const message of recording.messages) {
      for (const { node, module } of loaded) {
        if (!module.inputs.includes(message.topic)) continue;
        const event = { topic: message.topic, receiveTime: toTime(message.logTime), message: message.decode() };
        const result = module.default(event);
        results.push({
          script: node.id,
          episode: String(event.message.episode_id),
          tick: String(event.message.tick),
          message: result ?? null,
        });
      }
    }
  }
  const summary = loaded.map(({ node, module }) => ({ id: node.id, name: node.name, inputs: module.inputs, output: module.output }));
  process.stdout.write(JSON.stringify({ scripts: summary, outputs }));
}

async function readRecording(path, decompressHandlers) {
  const bytes = new Uint8Array(readFileSync(path));
  const reader = await McapIndexedReader.Initialize({
    readable: {
      size: async () => BigInt(bytes.length),
      read: async (offset, length) => bytes.subarray(Number(offset), Number(offset + length)),
    },
    decompressHandlers,
  });
  const types = new Map();
  const topics = [];
  for (const channel of reader.channelsById.values()) {
    const schema = reader.schemasById.get(channel.schemaId);
    if (schema.encoding !== "protobuf") throw new Error(`${path}: ${channel.topic} is not protobuf`);
    const root = protobuf.Root.fromDescriptor(descriptor.FileDescriptorSet.decode(schema.data));
    types.set(channel.id, root.lookupType(schema.name));
    topics.push({ topic: channel.topic, schemaName: schema.name, root });
  }
  const messages = [];
  for await (const record of reader.readMessages({ validateCrcs: true })) {
    const type = types.get(record.channelId);
    messages.push({
      topic: reader.channelsById.get(record.channelId).topic,
      logTime: record.logTime,
      decode: () => decode(type, record.data),
    });
  }
  return { path, topics, messages };
}

// As Foxglove's protobuf decoder: every field present (defaults), enums as numbers, 64-bit integers as bigint.
function decode(type, data) {
  return withBigInts(type, type.toObject(type.decode(data), { defaults: true, longs: String }));
}

function withBigInts(type, object) {
  for (const field of type.fieldsArray) {
    field.resolve();
    const value = object[field.name];
    if (LONG_TYPES.has(field.type)) {
      object[field.name] = field.repeated ? value.map((v) => BigInt(v)) : BigInt(value);
    } else if (field.resolvedType instanceof protobuf.Type && value != null) {
      object[field.name] = field.repeated ? value.map((v) => withBigInts(field.resolvedType, v)) : withBigInts(field.resolvedType, value);
    }
  }
  return object;
}

function toTime(logTime) {
  return { sec: Number(logTime / 1_000_000_000n), nsec: Number(logTime % 1_000_000_000n) };
}

// Type-checks, compiles and loads one User Script; `recording` supplies the topics and schemas its types come from.
function load(node, recording) {
  const directory = mkdtempSync(join(tmpdir(), "foxglove-user-script-"));
  try {
    const files = {
      "generatedTypes.ts": generatedTypes(recording.topics),
      "types.ts": TYPES_MODULE,
      "script.ts": node.sourceCode,
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
    const program = ts.createProgram([join(directory, "script.ts")], { ...compilerOptions, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    if (diagnostics.length > 0) fail(`User Script "${node.name}" does not type-check:\n${format(diagnostics, directory)}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }

  const compiled = ts.transpileModule(node.sourceCode, { compilerOptions, reportDiagnostics: true, fileName: "script.ts" });
  if (compiled.diagnostics.length > 0) fail(`User Script "${node.name}" does not compile:\n${format(compiled.diagnostics, process.cwd())}`);
  const module = { exports: {} };
  const require = (name) => {
    // Type-only imports are erased; a script that needs a module at run time would fail in the app too.
    throw new Error(`User Script "${node.name}" requires "${name}" at run time`);
  };
  new Function("module", "exports", "require", compiled.outputText)(module, module.exports, require);
  const exports = module.exports;
  if (!Array.isArray(exports.inputs) || !exports.inputs.every((t) => typeof t === "string")) fail(`User Script "${node.name}": inputs is not an array of topics`);
  if (typeof exports.output !== "string") fail(`User Script "${node.name}": output is not a topic`);
  if (typeof exports.default !== "function") fail(`User Script "${node.name}": no default export function`);
  return exports;
}

// File names relative to `directory`: script.ts(line,column), as the app's script panel would place them.
function format(diagnostics, directory) {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => directory,
    getNewLine: () => "\n",
  });
}

function fail(message) {
  process.stderr.write(message + "\n");
  process.exit(1);
}

// Foxglove's `./types` module for user scripts (what its boilerplate imports Input from).
const TYPES_MODULE = `
import { MessageTypeBySchemaName, MessageTypeByTopic } from "./generatedTypes";
export type Time = { sec: number; nsec: number };
export type Input<T extends keyof MessageTypeByTopic> = { topic: T; receiveTime: Time; message: MessageTypeByTopic[T] };
export type Message<T extends keyof MessageTypeBySchemaName> = MessageTypeBySchemaName[T];
`;

const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

// Protobuf scalar -> the datatype name Foxglove's protobuf definitions give it.
const PROTOBUF_DATATYPES = {
  double: "float64", float: "float32",
  int32: "int32", sint32: "int32", sfixed32: "int32",
  uint32: "uint32", fixed32: "uint32",
  int64: "int64", sint64: "int64", sfixed64: "int64",
  uint64: "uint64", fixed64: "uint64",
  bool: "bool", string: "string", bytes: "uint8",
};

// Datatype -> TypeScript, as lichtblick's generateTypesLib: scalars, and typed arrays for numeric repeated fields.
const SCALARS = {
  uint8: "number", int8: "number", uint16: "number", int16: "number", uint32: "number", int32: "number",
  float32: "number", float64: "number", int64: "bigint", uint64: "bigint", string: "string", bool: "boolean",
};
const TYPED_ARRAYS = {
  uint8: "Uint8Array", int8: "Int8Array", int16: "Int16Array", uint16: "Uint16Array", int32: "Int32Array",
  uint32: "Uint32Array", int64: "BigInt64Array", uint64: "BigUint64Array", float32: "Float32Array", float64: "Float64Array",
};

function generatedTypes(topics) {
  const schemas = new Map();
  const visit = (type) => {
    const name = type.fullName.replace(/^\./, "");
    if (schemas.has(name)) return;
    schemas.set(name, null);
    const fields = type.fieldsArray.map((field) => {
      field.resolve();
      let datatype;
      if (field.resolvedType instanceof protobuf.Enum) datatype = "int32";
      else if (field.resolvedType instanceof protobuf.Type) {
        visit(field.resolvedType);
        datatype = field.resolvedType.fullName.replace(/^\./, "");
      } else datatype = PROTOBUF_DATATYPES[field.type];
      const isArray = field.repeated || field.type === "bytes";
      let tsType;
      if (isArray) tsType = TYPED_ARRAYS[datatype] ?? `${SCALARS[datatype] ?? `MessageTypeBySchemaName[${JSON.stringify(datatype)}]`}[]`;
      else tsType = SCALARS[datatype] ?? `MessageTypeBySchemaName[${JSON.stringify(datatype)}]`;
      return `  ${JSON.stringify(field.name)}: ${tsType};`;
    });
    schemas.set(name, `${JSON.stringify(name)}: {\n${fields.join("\n")}\n};`);
  };
  for (const { root, schemaName } of topics) visit(root.lookupType(schemaName));
  const byTopic = topics.map(({ topic, schemaName }) => `${JSON.stringify(topic)}: MessageTypeBySchemaName[${JSON.stringify(schemaName)}];`);
  return `export type MessageTypeBySchemaName = {\n${[...schemas.values()].join("\n")}\n};\n` +
    `export type MessageTypeByTopic = {\n${byTopic.join("\n")}\n};\n`;
}

main(process.argv[2], process.argv.slice(3)).catch((error) => fail(error.stack ?? String(error)));
