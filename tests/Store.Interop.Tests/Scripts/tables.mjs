// Opens table FOLDERS (a Parquet or Arrow IPC table: <name>.parquet/part-000000.parquet, ...) the way
// other tools do, and prints what they saw as JSON. Run by Readers.cs (PartFolderInteropTests,
// TableInteropTests); the packages come from tests/interop, where test.sh installs them.
//   node tables.mjs arrow-dataset <folder>
//       pyarrow.dataset's discovery (pyarrow itself is not installable here): every file below the folder
//       whose name starts with neither "." nor "_", in path order, each read by apache-arrow's IPC file reader;
//       the parts must have the same column names and types (pyarrow's dataset refuses others).
//       -> {"files": [...], "columns": [[name, type]...], "rows": [[...]...]}, 64-bit integers and
//          timestamps as the raw integers stored (strings), other numbers as numbers
//   node tables.mjs polars <parquet|ipc> <glob>
//       polars (nodejs-polars: the polars engine, optional) scan_parquet / scan_ipc over the glob, collected
//       -> {"columns": [[name, dtype]...], "rows": [...]}, integers and timestamps (their raw count) as strings
//   node tables.mjs duckdb-poll <statement> <stop-file>
//       runs the statement in one DuckDB connection again and again, until <stop-file> exists, then once more;
//       prints one JSON line per run as it ends: {"start": ms, "end": ms, "rows": [...]} or {"start", "end", "error"}
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const packages = createRequire(new URL("../../interop/package.json", import.meta.url));
const load = async (name) => await import(pathToFileURL(packages.resolve(name)).href);

const [mode, ...args] = process.argv.slice(2);

function plain(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && typeof value.toString === "function") return value.toString();
  return value;
}

// pyarrow.dataset.dataset(folder): FileSelector(folder, recursive=True), names starting with "." or "_" ignored, sorted by path.
function datasetFiles(folder) {
  const files = [];
  for (const name of readdirSync(folder)) {
    if (name.startsWith(".") || name.startsWith("_")) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) files.push(...datasetFiles(path));
    else files.push(path);
  }
  return files.sort();
}

if (mode === "arrow-dataset") {
  const { tableFromIPC } = await load("apache-arrow");
  const files = datasetFiles(args[0]);
  let columns = null;
  const rows = [];
  for (const file of files) {
    const table = tableFromIPC(readFileSync(file));
    const these = table.schema.fields.map((f) => [f.name, String(f.type)]);
    if (columns === null) columns = these;
    else if (JSON.stringify(these) !== JSON.stringify(columns)) {
      throw new Error(`${file}: columns ${JSON.stringify(these)} differ from the dataset's ${JSON.stringify(columns)}`);
    }
    const values = table.schema.fields.map((f) => {
      const out = [];
      const vector = table.getChild(f.name);
      for (const chunk of vector.data) {
        if (chunk.offset !== 0) throw new Error(`${file}: column ${f.name} has a chunk with offset ${chunk.offset}`);
        const raw = chunk.values instanceof BigInt64Array || chunk.values instanceof BigUint64Array;
        const first = out.length;
        for (let i = 0; i < chunk.length; i++) {
          out.push(!chunk.getValid(i) ? null : raw ? chunk.values[i].toString() : plain(vector.get(first + i)));
        }
      }
      return out;
    });
    for (let r = 0; r < table.numRows; r++) rows.push(values.map((column) => column[r]));
  }
  console.log(JSON.stringify({ files, columns: columns ?? [], rows }));
} else if (mode === "polars") {
  const pl = (await load("nodejs-polars")).default;
  const [format, glob] = args;
  const frame = (format === "ipc" ? pl.scanIPC(glob) : pl.scanParquet(glob)).collectSync();
  const columns = frame.columns.map((name) => [name, String(frame.getColumn(name).dtype)]);
  const values = frame.columns.map((name) => {
    const series = frame.getColumn(name);
    const type = String(series.dtype);
    if (/Int|Datetime/.test(type)) return series.cast(pl.Int64).cast(pl.Utf8).toArray();
    return series.toArray();
  });
  const rows = [];
  for (let r = 0; r < frame.height; r++) rows.push(values.map((column) => plain(column[r])));
  console.log(JSON.stringify({ columns, rows }));
} else if (mode === "duckdb-poll") {
  const [statement, stopFile] = args;
  const { DuckDBInstance } = await load("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  for (;;) {
    const last = existsSync(stopFile);
    const start = Date.now();
    try {
      const result = await connection.runAndReadAll(statement);
      process.stdout.write(JSON.stringify({ start, end: Date.now(), rows: result.getRows().map((row) => row.map(plain)) }) + "\n");
    } catch (error) {
      process.stdout.write(JSON.stringify({ start, end: Date.now(), error: String(error?.message ?? error) }) + "\n");
    }
    if (last) break;
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
