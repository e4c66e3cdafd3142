// Writes a low-dimensional LeRobot dataset with DuckDB, a Parquet writer that is not ours, in the layout LeRobot's
// own writers produce (lerobot/datasets/utils.py and dataset_writer.py): format v3.0 (episodes share data files, with
// meta/episodes and meta/tasks as Parquet) or v2.1 (a file per episode, meta/*.jsonl).
//
//   node make-lerobot.mjs OUT [--version v3.0|v2.1] [--episodes N] [--frames N] [--fps N] [--intervention]
//                             [--state-width N --action-width N] [--files N]
//
// Each frame's state is slow signals of its episode and frame (three by default); its action is a fixed linear map of
// the state (two by default), so a policy can learn it. With --intervention a boolean `intervention` column marks
// every fifth frame. --files spreads a v3.0 dataset's episodes over that many data files (LeRobot starts a new file
// when one reaches data_files_size_in_mb): what the streaming benchmark in docs/benchmarks.md generates.
import { DuckDBInstance } from "@duckdb/node-api";
import fs from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const out = args[0];
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args[at + 1];
};
const version = option("--version", "v3.0");
const episodes = Number(option("--episodes", "4"));
const frames = Number(option("--frames", "50"));
const fps = Number(option("--fps", "30"));
const intervention = args.includes("--intervention");
const stateWidth = Number(option("--state-width", "0"));
const actionWidth = Number(option("--action-width", "0"));
const files = Number(option("--files", "1"));
const sized = stateWidth > 0 || actionWidth > 0;
if (!out || !["v3.0", "v2.1"].includes(version) || (sized && (stateWidth < 2 || actionWidth < 1)) || !(files >= 1 && files <= episodes)) {
  console.error("usage: node make-lerobot.mjs OUT [--version v3.0|v2.1] [--episodes N] [--frames N] [--fps N] [--intervention] [--state-width N>=2 --action-width N>=1] [--files N<=episodes]");
  process.exit(2);
}

const s = (k) => `CAST(sin(0.1 * i + ${k} * e) AS FLOAT)`;
const range = (n) => [...Array(n).keys()];
// The default: three named joints and two goals, a0 = 0.5·s1 − 0.25·s2 and a1 = 0.3·s2 + 0.1·e.
const layout = sized
  ? {
      state: range(stateWidth - 1).map((k) => s(k + 1)).concat(["CAST(0.1 * e AS FLOAT)"]),
      action: range(actionWidth).map((j) => `CAST(0.5 * sin(0.1 * i + ${(j % (stateWidth - 1)) + 1} * e) - 0.25 * sin(0.1 * i + ${((j + 1) % (stateWidth - 1)) + 1} * e) + 0.1 * e AS FLOAT)`),
      names: { state: range(stateWidth).map((k) => `joint_${k}.pos`), action: range(actionWidth).map((j) => `joint_${j}.goal`) },
    }
  : {
      state: [s(1), s(2), "CAST(0.1 * e AS FLOAT)"],
      action: ["CAST(0.5 * sin(0.1 * i + e) - 0.25 * sin(0.1 * i + 2 * e) AS FLOAT)", "CAST(0.3 * sin(0.1 * i + 2 * e) + 0.1 * e AS FLOAT)"],
      names: { state: ["shoulder_pan.pos", "elbow_flex.pos", "gripper.pos"], action: ["shoulder_pan.goal", "elbow_flex.goal"] },
    };
const names = layout.names;
const features = {
  action: { dtype: "float32", shape: [names.action.length], names: names.action },
  "observation.state": { dtype: "float32", shape: [names.state.length], names: names.state },
  ...(intervention ? { intervention: { dtype: "bool", shape: [1], names: null } } : {}),
  timestamp: { dtype: "float32", shape: [1], names: null },
  frame_index: { dtype: "int64", shape: [1], names: null },
  episode_index: { dtype: "int64", shape: [1], names: null },
  index: { dtype: "int64", shape: [1], names: null },
  task_index: { dtype: "int64", shape: [1], names: null },
};

const frameRows = (where) => `
  SELECT [${layout.state.join(", ")}] AS "observation.state",
         [${layout.action.join(", ")}] AS action,
         ${intervention ? `(i % 5 = 0) AS intervention,` : ""}
         CAST(i / ${fps} AS FLOAT) AS timestamp, i AS frame_index, e AS episode_index, e * ${frames} + i AS "index", CAST(0 AS BIGINT) AS task_index
  FROM range(0, ${episodes}) t(e), range(0, ${frames}) f(i) ${where} ORDER BY e, i`;

const db = await DuckDBInstance.create(":memory:");
const sql = await db.connect();
const write = async (query, file) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sql.run(`COPY (${query}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
};
fs.mkdirSync(path.join(out, "meta"), { recursive: true });
const info = {
  codebase_version: version, robot_type: "so_follower", total_episodes: episodes, total_frames: episodes * frames, total_tasks: 1,
  chunks_size: 1000, fps, splits: { train: `0:${episodes}` }, features,
};
if (version === "v3.0") {
  Object.assign(info, { data_files_size_in_mb: 100, video_files_size_in_mb: 200, data_path: "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet", video_path: null });
  // Consecutive episodes share a file, as LeRobot's writer fills one file before it starts the next.
  const fileOf = (e) => `(${e} * ${files} // ${episodes})`;
  for (let f = 0; f < files; f++) {
    const file = path.join(out, "data", "chunk-000", `file-${String(f).padStart(3, "0")}.parquet`);
    await write(frameRows(`WHERE ${fileOf("e")} = ${f}`), file);
  }
  await write(`SELECT e AS episode_index, ['reach the target'] AS tasks, CAST(${frames} AS BIGINT) AS length,
                      CAST(0 AS BIGINT) AS "data/chunk_index", CAST(${fileOf("e")} AS BIGINT) AS "data/file_index",
                      e * ${frames} AS dataset_from_index, (e + 1) * ${frames} AS dataset_to_index
               FROM range(0, ${episodes}) t(e) ORDER BY e`, path.join(out, "meta", "episodes", "chunk-000", "file-000.parquet"));
  await write(`SELECT 'reach the target' AS task, CAST(0 AS BIGINT) AS task_index`, path.join(out, "meta", "tasks.parquet"));
} else {
  Object.assign(info, { total_chunks: 1, total_videos: 0, data_path: "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet", video_path: null });
  const lines = [];
  for (let e = 0; e < episodes; e++) {
    await write(frameRows(`WHERE e = ${e}`), path.join(out, "data", "chunk-000", `episode_${String(e).padStart(6, "0")}.parquet`));
    lines.push(JSON.stringify({ episode_index: e, tasks: ["reach the target"], length: frames }));
  }
  fs.writeFileSync(path.join(out, "meta", "episodes.jsonl"), lines.join("\n") + "\n");
  fs.writeFileSync(path.join(out, "meta", "tasks.jsonl"), JSON.stringify({ task_index: 0, task: "reach the target" }) + "\n");
}
fs.writeFileSync(path.join(out, "meta", "info.json"), JSON.stringify(info, null, 4));
