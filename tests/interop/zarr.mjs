// zarrita (the JavaScript Zarr implementation) against the store's Zarr v3 arrays:
//   node zarr.mjs read <root> <path>...  -> {"<path>": {"dtype", "shape", "chunks", "sha256"}} where sha256 is
//                                            over the little-endian C-order bytes of the whole array
//   node zarr.mjs write <root>           -> writes v3 arrays with zarrita and prints what it wrote:
//                                            [{"path", "dtype", "shape", "rows", "fill"}] (rows: how many leading
//                                            rows hold values; the rest were never written and read as fill)
// Written values follow the formula of tests/fixtures/make_npy_fixtures.py, which the C# tests recompute.
import { createHash } from "node:crypto";
import FileSystemStore from "@zarrita/storage/fs";
import * as zarr from "zarrita";

const [mode, root, ...paths] = process.argv.slice(2);
const store = new FileSystemStore(root);
const DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"];
const SHAPE = [11, 5, 3];
const CHUNKS = [4, 2, 3];

/** Element i of the C-order flattening: (i % 7) * 3 - 5 cast to the dtype, as the numpy fixtures do. */
function sequence(dtype, count) {
  const types = {
    bool: zarr.BoolArray, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
    uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
    float32: Float32Array, float64: Float64Array,
  };
  const data = new types[dtype](count);
  const bytes = dtype === "bool" ? new Uint8Array(data.buffer) : null;
  for (let i = 0; i < count; i++) {
    const v = (i % 7) * 3 - 5;
    if (dtype === "bool") bytes[i] = i % 3 === 0 ? 1 : 0;
    else if (dtype === "int64") data[i] = BigInt(v) * 1_000_000_007n;
    else if (dtype === "uint64") data[i] = BigInt.asUintN(64, BigInt(v));
    else if (dtype === "float32") data[i] = v / 4;
    else if (dtype === "float64") data[i] = v / 8;
    else data[i] = v; // typed arrays wrap integers modulo 2**bits, as the formula says
  }
  return data;
}

function stride(shape) {
  const out = new Array(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1] * shape[d + 1];
  return out;
}

async function write() {
  const written = [];
  // zarrita 0.7 decodes gzip and zlib but cannot encode them (nor crc32c), so the arrays it writes use no compressor or zstd.
  const layouts = {
    plain: { codecs: [{ name: "bytes", configuration: { endian: "little" } }] },
    zstd: { codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "zstd", configuration: { level: 3, checksum: false } }] },
    dot_separator: { chunkSeparator: ".", codecs: [{ name: "bytes", configuration: { endian: "little" } }] },
    big_endian: { codecs: [{ name: "bytes", configuration: { endian: "big" } }] },
  };
  const rootGroup = zarr.root(store);
  await zarr.create(rootGroup);
  for (const [layout, options] of Object.entries(layouts)) {
    await zarr.create(rootGroup.resolve(layout));
    for (const dtype of DTYPES) {
      if (layout === "big_endian" && (dtype === "bool" || dtype.endsWith("8"))) continue;
      const path = `${layout}/${dtype}`;
      const array = await zarr.create(rootGroup.resolve(path), { shape: SHAPE, chunkShape: CHUNKS, dtype, fillValue: dtype === "bool" ? false : 0, ...options });
      const count = SHAPE.reduce((a, b) => a * b, 1);
      await zarr.set(array, null, { data: sequence(dtype, count), shape: SHAPE, stride: stride(SHAPE) });
      written.push({ path, dtype, shape: SHAPE, rows: SHAPE[0], fill: null });
    }
  }

  // Only the first 4 rows (one chunk row) are written: every other chunk is missing and reads as the fill value.
  await zarr.create(rootGroup.resolve("fill"));
  const partial = await zarr.create(rootGroup.resolve("fill/float64"), {
    shape: SHAPE, chunkShape: CHUNKS, dtype: "float64", fillValue: 1.5,
    codecs: [{ name: "bytes", configuration: { endian: "little" } }],
  });
  const rowShape = [4, SHAPE[1], SHAPE[2]];
  await zarr.set(partial, [zarr.slice(0, 4), null, null], { data: sequence("float64", 4 * 15), shape: rowShape, stride: stride(rowShape) });
  written.push({ path: "fill/float64", dtype: "float64", shape: SHAPE, rows: 4, fill: 1.5 });
  console.log(JSON.stringify(written));
}

async function read() {
  const out = {};
  for (const path of paths) {
    const array = await zarr.open.v3(zarr.root(store).resolve(path), { kind: "array" });
    const chunk = await zarr.get(array);
    const bytes = new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
    out[path] = {
      dtype: array.dtype,
      shape: array.shape,
      chunks: array.chunks,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
  }
  console.log(JSON.stringify(out));
}

if (mode === "write") await write();
else if (mode === "read") await read();
else throw new Error(`unknown mode ${mode}`);
