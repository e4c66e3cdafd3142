// Runs SQL queries with DuckDB, a Parquet reader that is not ours, and prints each query's rows as JSON: how the
// tests read the trainer's exports back.
//
//   node query.mjs SQL [SQL...]      prints [[{column: value, ...}, ...], ...], one list of rows per query
//
// DuckDB's JSON form: BIGINT and HUGEINT print as strings (JSON numbers cannot hold them whole), lists as arrays.
import { DuckDBInstance } from "@duckdb/node-api";

const queries = process.argv.slice(2);
if (queries.length === 0) {
  console.error("usage: node query.mjs SQL [SQL...]");
  process.exit(2);
}
const db = await DuckDBInstance.create(":memory:");
const sql = await db.connect();
const results = [];
for (const query of queries) {
  const reader = await sql.runAndReadAll(query);
  results.push(reader.getRowObjectsJson());
}
console.log(JSON.stringify(results));
