// Reads a table file with a real reader and prints it as JSON:
//   node read.mjs duckdb <file> <parquet|csv|json>   -> {"columns": [[name, type]...], "rows": [[...]...]}
//   node read.mjs arrow <file.arrow>                 -> the same, through apache-arrow's IPC file reader
//   node read.mjs arrow-raw <file.arrow>             -> the same, with 64-bit integers and timestamps as the raw
//                                                       integers stored (timestamps: counts of their unit), as strings
//   node read.mjs arrow-write-timestamps <out.arrow> <columns>  -> apache-arrow writes an IPC file of timestamp columns;
//                                                       <columns> is JSON [{"name", "unit": "SECOND".."NANOSECOND",
//                                                       "timezone": zone or null, "values": [integer string or null, ...]}]
//   node read.mjs duckdb-write <query> <out> <parquet|csv> [options]  -> DuckDB writes the query's result to <out>;
//                                                    options are more COPY options, e.g. "PARQUET_VERSION V2, ROW_GROUP_SIZE 1000"
//   node read.mjs duckdb-sql <statement>             -> the statement's result, as for duckdb (the README's SQL)
import { readFileSync } from "node:fs";

const [mode, ...args] = process.argv.slice(2);

function plain(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && "micros" in value) return new Date(Number(value.micros / 1000n)).toISOString();
  if (typeof value === "object" && typeof value.toString === "function") return value.toString();
  return value;
}

if (mode === "arrow-write-timestamps") {
  const { makeData, makeVector, Table, Timestamp, TimeUnit, tableToIPC } = await import("apache-arrow");
  const { writeFileSync } = await import("node:fs");
  const vectors = {};
  for (const column of JSON.parse(args[1])) {
    const length = column.values.length;
    const bitmap = new Uint8Array(Math.ceil(length / 8));
    column.values.forEach((v, i) => { if (v !== null) bitmap[i >> 3] |= 1 << (i & 7); });
    vectors[column.name] = makeVector(makeData({
      type: new Timestamp(TimeUnit[column.unit], column.timezone),
      length,
      nullCount: column.values.filter((v) => v === null).length,
      nullBitmap: bitmap,
      data: BigInt64Array.from(column.values.map((v) => BigInt(v ?? 0))),
    }));
  }
  writeFileSync(args[0], tableToIPC(new Table(vectors), "file"));
} else if (mode === "arrow-raw") {
  const { tableFromIPC } = await import("apache-arrow");
  const table = tableFromIPC(readFileSync(args[0]));
  const columns = table.schema.fields.map((f) => [f.name, String(f.type)]);
  const raw = table.schema.fields.map((f) => {
    const values = [];
    for (const chunk of table.getChild(f.name).data) {
      if (chunk.offset !== 0) throw new Error(`column ${f.name}: a chunk with offset ${chunk.offset}`);
      for (let i = 0; i < chunk.length; i++) {
        values.push(chunk.getValid(i) ? (typeof chunk.values[i] === "bigint" ? chunk.values[i].toString() : plain(chunk.values[i])) : null);
      }
    }
    return values;
  });
  const rows = [];
  for (let r = 0; r < table.numRows; r++) rows.push(raw.map((column) => column[r]));
  console.log(JSON.stringify({ columns, rows }));
} else if (mode === "arrow") {
  const { tableFromIPC } = await import("apache-arrow");
  const table = tableFromIPC(readFileSync(args[0]));
  const columns = table.schema.fields.map((f) => [f.name, String(f.type)]);
  const rows = [];
  for (let r = 0; r < table.numRows; r++) {
    rows.push(table.schema.fields.map((f) => plain(table.getChild(f.name).get(r))));
  }
  console.log(JSON.stringify({ columns, rows }));
} else {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  if (mode === "duckdb") {
    const [file, format] = args;
    const reader = { parquet: "read_parquet", csv: "read_csv", json: "read_json" }[format];
    // The store writes an empty string as "" and a null as an empty field; allow_quoted_nulls = false
    // keeps DuckDB from reading "" as NULL.
    const options = format === "csv" ? ", header = true, allow_quoted_nulls = false" : format === "json" ? ", format = 'newline_delimited'" : "";
    const result = await connection.runAndReadAll(`SELECT * FROM ${reader}('${file.replaceAll("'", "''")}'${options})`);
    const columns = result.columnNames().map((name, i) => [name, result.columnTypes()[i].toString()]);
    const rows = result.getRows().map((row) => row.map(plain));
    console.log(JSON.stringify({ columns, rows }));
  } else if (mode === "duckdb-sql") {
    const result = await connection.runAndReadAll(args[0]);
    const columns = result.columnNames().map((name, i) => [name, result.columnTypes()[i].toString()]);
    const rows = result.getRows().map((row) => row.map(plain));
    console.log(JSON.stringify({ columns, rows }));
  } else if (mode === "duckdb-write") {
    const [query, out, format, extra] = args;
    const options = (format === "csv" ? "FORMAT csv, HEADER true" : "FORMAT parquet") + (extra ? `, ${extra}` : "");
    await connection.run(`COPY (${query}) TO '${out.replaceAll("'", "''")}' (${options})`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}
