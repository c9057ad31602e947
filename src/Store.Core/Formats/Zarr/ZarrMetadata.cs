using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Store.Core.Arrays;

namespace Store.Core.Formats.Zarr;

/// <summary>A bytes-to-bytes step of a chunk's codec chain (applied in order when writing, reversed when reading).</summary>
/// <param name="Kind">gzip, zlib, zstd, or crc32c (a 4-byte checksum after the data).</param>
/// <param name="Level">The compression level, or null for the default.</param>
internal sealed record ZarrByteCodec(string Kind, int? Level);

/// <summary>
/// One Zarr array's metadata, v2 (<c>.zarray</c>) or v3 (<c>zarr.json</c>), as far as the store
/// reads and writes it: shape, chunk grid (for sharded arrays: shards of inner chunks), dtype and
/// byte order, fill value, compressor chain and chunk key encoding. Anything it cannot honour
/// (blosc, filters, Fortran order, transpose, non-regular grids) is refused with a message naming
/// the array and the feature.
/// </summary>
internal sealed record ZarrMetadata
{
    // Relaxed escaping keeps '<' in dtypes such as "<f4" readable.
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>2 or 3.</summary>
    public required int Version { get; init; }

    /// <summary>The array's shape.</summary>
    public required long[] Shape { get; init; }

    /// <summary>The chunk grid: the shape of one chunk file (for a sharded array, of one shard).</summary>
    public required int[] ChunkShape { get; init; }

    /// <summary>Sharded v3 arrays: the shape of the inner chunks a shard holds; null when not sharded.</summary>
    public int[]? InnerChunkShape { get; init; }

    /// <summary>The element type.</summary>
    public required DType DType { get; init; }

    /// <summary>Whether chunk bytes are big-endian.</summary>
    public bool BigEndian { get; init; }

    /// <summary>One element of the fill value, little-endian.</summary>
    public required byte[] FillValue { get; init; }

    /// <summary>The bytes-to-bytes codecs of a chunk (of an inner chunk when sharded), in write order.</summary>
    public IReadOnlyList<ZarrByteCodec> Codecs { get; init; } = [];

    /// <summary>The separator between chunk indices in keys.</summary>
    public char Separator { get; init; } = '.';

    /// <summary>v3 default chunk keys (<c>c/0/1</c>); false for v2-style keys (<c>0.1</c>).</summary>
    public bool PrefixedKeys { get; init; }

    /// <summary>Sharded arrays: whether the shard index is at the end of the shard (else at the start).</summary>
    public bool IndexAtEnd { get; init; } = true;

    /// <summary>Sharded arrays: whether the shard index carries a crc32c checksum.</summary>
    public bool IndexChecksum { get; init; } = true;

    /// <summary>The array's user attributes (kept when the store rewrites the metadata).</summary>
    public JsonObject Attributes { get; init; } = [];

    /// <summary>The metadata file name of the version: <c>.zarray</c> or <c>zarr.json</c>.</summary>
    public string FileName => Version == 2 ? ".zarray" : "zarr.json";

    /// <summary>The unit of reading: inner chunks when sharded, else chunks.</summary>
    public int[] ReadChunkShape => InnerChunkShape ?? ChunkShape;

    /// <summary>The key (relative path in the array folder) of the chunk (or shard) at grid position <paramref name="index"/>.</summary>
    public string ChunkKey(ReadOnlySpan<long> index)
    {
        var joined = index.Length == 0 ? (PrefixedKeys ? "" : "0") : string.Join(Separator, index.ToArray());
        return PrefixedKeys ? (joined.Length == 0 ? "c" : "c" + Separator + joined) : joined;
    }

    /// <summary>The metadata of a new array with the given layout.</summary>
    /// <param name="options">The store's Zarr options.</param>
    /// <param name="dtype">The array's dtype.</param>
    /// <param name="shape">The array's shape.</param>
    /// <param name="chunks">The chunk shape asked for this array, or null for the options' (or the default).</param>
    /// <param name="path">The entry path, for messages.</param>
    /// <exception cref="ShapeException">
    /// A chunk shape without one length per axis, or a chunk or shard larger than one buffer holds
    /// (<see cref="Array.MaxLength"/> bytes; a shard also at most <see cref="int.MaxValue"/> rows).
    /// </exception>
    public static ZarrMetadata Create(ZarrOptions options, DType dtype, long[] shape, int[]? chunks, string? path = null)
    {
        var chunkShape = chunks ?? options.ChunkShape ?? DefaultChunks(dtype, shape, options.TargetChunkBytes);
        var named = path is null ? "" : $" for '{path}'";
        if (chunkShape.Length != shape.Length)
        {
            throw new ShapeException($"A chunk shape {Shapes.Format(chunkShape)}{named} needs one length per axis of shape {Shapes.Format(shape)}.", path);
        }

        var sharded = options.Version == 3 && options.ChunksPerShard > 1 && shape.Length > 0;
        var layout = Layout(chunkShape, sharded ? options.ChunksPerShard!.Value : 1, dtype.ItemSize());
        if (layout.ChunkBytes < 0)
        {
            throw new ShapeException(
                $"A chunk shape {Shapes.Format(chunkShape)}{named} holds more than {Array.MaxLength} bytes of {dtype.Name()} per chunk, the most one chunk buffer holds; expected smaller chunks.", path);
        }

        if (sharded && !layout.ShardFits)
        {
            throw new ShapeException(
                $"ChunksPerShard {options.ChunksPerShard} with chunk shape {Shapes.Format(chunkShape)}{named} makes shards of {layout.ShardRows} rows and {layout.ShardBytes} bytes of {dtype.Name()}; expected at most {int.MaxValue} rows and {Array.MaxLength} bytes, the most one shard buffer holds.", path);
        }

        var codecs = options.Compressor switch
        {
            ZarrCompressor.None => [],
            var c => new[] { new ZarrByteCodec(c.ToString().ToLowerInvariant(), options.CompressionLevel) },
        };
        return new ZarrMetadata
        {
            Version = options.Version ?? 3,
            Shape = shape,
            ChunkShape = sharded ? [(int)layout.ShardRows, .. chunkShape[1..]] : chunkShape,
            InnerChunkShape = sharded ? chunkShape : null,
            DType = dtype,
            FillValue = new byte[dtype.ItemSize()],
            Codecs = codecs,
            Separator = options.DimensionSeparator ?? (options.Version == 2 ? '.' : '/'),
            PrefixedKeys = options.Version == 3 && !options.V2ChunkKeys,
        };
    }

    /// <summary>
    /// The sizes of a chunk shape and of a shard of <paramref name="chunksPerShard"/> such chunks
    /// along axis 0 (its index of 16 bytes per chunk and a crc32c included). Each is built in one
    /// byte buffer, so a chunk or shard past <see cref="Array.MaxLength"/> bytes cannot be written.
    /// </summary>
    /// <returns>Chunk bytes (-1 when past the limit), shard rows and bytes, and whether the shard fits.</returns>
    internal static (long ChunkBytes, long ShardRows, long ShardBytes, bool ShardFits) Layout(int[] chunkShape, int chunksPerShard, int itemSize)
    {
        var chunkBytes = Shapes.ChunkBytes(chunkShape, itemSize);
        if (chunkBytes < 0)
        {
            return (-1, 0, 0, false);
        }

        // Every factor is below 2^31, so neither product overflows.
        var shardRows = (chunkShape.Length > 0 ? (long)chunkShape[0] : 1) * chunksPerShard;
        var shardBytes = ((chunkBytes + 16) * chunksPerShard) + 4;
        return (chunkBytes, shardRows, shardBytes, shardRows <= int.MaxValue && shardBytes <= Array.MaxLength);
    }

    /// <summary>Chunks along axis 0 of about <paramref name="targetBytes"/>, full extent on the other axes.</summary>
    public static int[] DefaultChunks(DType dtype, long[] shape, int targetBytes)
    {
        if (shape.Length == 0)
        {
            return [];
        }

        // Saturates instead of overflowing: any row past targetBytes gets one-row chunks.
        var rowBytes = shape.Skip(1).Aggregate((long)dtype.ItemSize(), (a, b) => a > targetBytes ? a : a * Math.Max(b, 1));
        var rows = (int)Math.Clamp(targetBytes / Math.Max(rowBytes, 1), 1, int.MaxValue);
        return [rows, .. shape.Skip(1).Select(d => (int)Math.Clamp(d, 1, int.MaxValue))];
    }

    /// <summary>This metadata with another shape (after appends).</summary>
    public ZarrMetadata WithShape(long[] shape) => this with { Shape = shape };

    /// <summary>Parses a metadata file; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="CorruptDataException">Not valid metadata, or a feature the store does not support.</exception>
    public static ZarrMetadata Parse(ReadOnlySpan<byte> json, string file, int version)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CorruptDataException($"{file}: not valid Zarr metadata JSON: {e.Message}", file, e);
        }

        try
        {
            return version == 2 ? ParseV2(root, file) : ParseV3(root, file);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or NullReferenceException or ArgumentException)
        {
            throw new CorruptDataException($"{file}: malformed Zarr v{version} metadata: {e.Message}", file, e);
        }
    }

    /// <summary>The metadata as the version's JSON document.</summary>
    public byte[] ToJson()
    {
        var document = Version == 2 ? ToV2() : ToV3();
        return JsonSerializer.SerializeToUtf8Bytes(document, WriteOptions);
    }

    private static ZarrMetadata ParseV2(JsonObject root, string file)
    {
        Require(root["zarr_format"]?.GetValue<int>() == 2, file, "zarr_format is not 2");
        var descriptor = root["dtype"]?.GetValue<string>() ?? throw Corrupt(file, "no dtype");
        if (!DTypes.TryParseNumpy(descriptor, out var dtype, out var bigEndian))
        {
            throw Corrupt(file, $"dtype '{descriptor}' is not supported; expected bool, int8..int64, uint8..uint64, float32 or float64");
        }

        Require((root["order"]?.GetValue<string>() ?? "C") == "C", file, "order 'F' (Fortran) chunks are not supported; expected 'C'");
        if (root["filters"] is JsonArray { Count: > 0 } filters)
        {
            throw Corrupt(file, $"filters ({string.Join(", ", filters.Select(f => f?["id"]?.GetValue<string>()))}) are not supported");
        }

        var codecs = new List<ZarrByteCodec>();
        if (root["compressor"] is JsonObject compressor)
        {
            codecs.Add(ParseCompressor(compressor["id"]?.GetValue<string>(), compressor, file, ["zlib", "gzip", "zstd"]));
        }

        var separator = root["dimension_separator"]?.GetValue<string>() ?? ".";
        Require(separator is "." or "/", file, $"dimension_separator '{separator}' is not '.' or '/'");
        var shape = Longs(root["shape"], file, "shape");
        var chunks = Ints(root["chunks"], file, "chunks");
        CheckGrid(shape, chunks, dtype, file);
        CheckReadUnit(chunks, dtype, file);
        return new ZarrMetadata
        {
            Version = 2,
            Shape = shape,
            ChunkShape = chunks,
            DType = dtype,
            BigEndian = bigEndian,
            FillValue = FillBytes(root["fill_value"], dtype, file),
            Codecs = codecs,
            Separator = separator[0],
        };
    }

    private static ZarrMetadata ParseV3(JsonObject root, string file)
    {
        Require(root["zarr_format"]?.GetValue<int>() == 3, file, "zarr_format is not 3");
        Require(root["node_type"]?.GetValue<string>() == "array", file, "node_type is not 'array'");
        var typeName = root["data_type"]?.GetValue<string>() ?? throw Corrupt(file, "no data_type");
        var dtype = DTypes.All.FirstOrDefault(d => d.Name() == typeName, (DType)(-1));
        Require((int)dtype >= 0, file, $"data_type '{typeName}' is not supported; expected bool, int8..int64, uint8..uint64, float32 or float64");
        var grid = root["chunk_grid"] as JsonObject ?? throw Corrupt(file, "no chunk_grid");
        Require(grid["name"]?.GetValue<string>() == "regular", file, $"chunk_grid '{grid["name"]}' is not supported; expected 'regular'");
        var shape = Longs(root["shape"], file, "shape");
        var chunks = Ints(grid["configuration"]?["chunk_shape"], file, "chunk_shape");
        CheckGrid(shape, chunks, dtype, file);

        var keys = root["chunk_key_encoding"] as JsonObject;
        var encoding = keys?["name"]?.GetValue<string>() ?? "default";
        Require(encoding is "default" or "v2", file, $"chunk_key_encoding '{encoding}' is not supported; expected 'default' or 'v2'");
        var separator = keys?["configuration"]?["separator"]?.GetValue<string>() ?? (encoding == "default" ? "/" : ".");
        Require(separator is "." or "/", file, $"chunk key separator '{separator}' is not '.' or '/'");

        var chain = ParseChain(root["codecs"] as JsonArray ?? throw Corrupt(file, "no codecs"), file, allowSharding: true);
        var metadata = new ZarrMetadata
        {
            Version = 3,
            Shape = shape,
            ChunkShape = chunks,
            DType = dtype,
            BigEndian = chain.BigEndian,
            FillValue = FillBytes(root["fill_value"], dtype, file),
            Codecs = chain.Codecs,
            Separator = separator[0],
            PrefixedKeys = encoding == "default",
            Attributes = root["attributes"] is JsonObject attributes ? (JsonObject)attributes.DeepClone() : [],
        };
        if (chain.Sharding is not { } sharding)
        {
            CheckReadUnit(chunks, dtype, file);
            return metadata;
        }

        var inner = Ints(sharding["chunk_shape"], file, "sharding chunk_shape");
        Require(inner.Length == chunks.Length && inner.All(c => c >= 1) && inner.Zip(chunks).All(p => p.Second % p.First == 0), file,
            $"sharding chunk_shape {Shapes.Format(inner)} does not divide the shard shape {Shapes.Format(chunks)}");
        CheckReadUnit(inner, dtype, file);

        // The shard index (16 bytes per inner chunk and a crc32c) is read into one buffer too.
        var indexBytes = Shapes.ChunkBytes([.. chunks.Zip(inner, (s, i) => s / i)], 16);
        Require(indexBytes >= 0 && indexBytes <= Array.MaxLength - 4, file,
            $"shards of shape {Shapes.Format(chunks)} hold too many inner chunks of shape {Shapes.Format(inner)} for one index buffer");
        var innerChain = ParseChain(sharding["codecs"] as JsonArray ?? throw Corrupt(file, "sharding has no codecs"), file, allowSharding: false);
        var index = ParseChain(sharding["index_codecs"] as JsonArray ?? throw Corrupt(file, "sharding has no index_codecs"), file, allowSharding: false);
        Require(!index.BigEndian && index.Codecs.All(c => c.Kind == "crc32c"), file, "shard index codecs other than little-endian bytes and crc32c are not supported");
        var location = sharding["index_location"]?.GetValue<string>() ?? "end";
        Require(location is "end" or "start", file, $"index_location '{location}' is not 'start' or 'end'");
        return metadata with
        {
            InnerChunkShape = inner,
            BigEndian = innerChain.BigEndian,
            Codecs = innerChain.Codecs,
            IndexAtEnd = location == "end",
            IndexChecksum = index.Codecs.Count > 0,
        };
    }

    private static (bool BigEndian, List<ZarrByteCodec> Codecs, JsonObject? Sharding) ParseChain(JsonArray chain, string file, bool allowSharding)
    {
        var bigEndian = false;
        var sawBytes = false;
        JsonObject? sharding = null;
        var codecs = new List<ZarrByteCodec>();
        foreach (var codec in chain.OfType<JsonObject>())
        {
            var name = codec["name"]?.GetValue<string>();
            var configuration = codec["configuration"] as JsonObject;
            switch (name)
            {
                case "bytes":
                    bigEndian = configuration?["endian"]?.GetValue<string>() == "big";
                    sawBytes = true;
                    break;
                case "transpose":
                    var order = Ints(configuration?["order"], file, "transpose order");
                    Require(order.Select((axis, i) => axis == i).All(same => same), file, "the transpose codec (a non-C chunk order) is not supported");
                    break;
                case "sharding_indexed" when allowSharding && !sawBytes && codecs.Count == 0:
                    sharding = configuration ?? throw Corrupt(file, "sharding_indexed has no configuration");
                    sawBytes = true;
                    break;
                default:
                    codecs.Add(ParseCompressor(name, configuration, file, ["gzip", "zstd", "crc32c"]));
                    break;
            }
        }

        Require(sawBytes, file, "the codecs have no 'bytes' (or 'sharding_indexed') array-to-bytes codec");
        return (bigEndian, codecs, sharding);
    }

    private static ZarrByteCodec ParseCompressor(string? id, JsonObject? configuration, string file, string[] supported)
    {
        if (id is null || !supported.Contains(id))
        {
            throw Corrupt(file, $"codec '{id}' is not supported (supported: {string.Join(", ", supported)}); rewrite the array without it, for example with zarr-python's compressor=numcodecs.Zstd()");
        }

        return new ZarrByteCodec(id, configuration?["level"]?.GetValue<int>());
    }

    private JsonObject ToV2() => new()
    {
        ["chunks"] = new JsonArray([.. ChunkShape.Select(c => (JsonNode)c)]),
        ["compressor"] = Codecs.Count == 0 ? null : new JsonObject { ["id"] = Codecs[0].Kind, ["level"] = Codecs[0].Level ?? DefaultLevel(Codecs[0].Kind) },
        ["dimension_separator"] = Separator.ToString(),
        ["dtype"] = BigEndian ? ">" + DType.TypeCode() : DType.NumpyDescriptor(),
        ["fill_value"] = FillJson(),
        ["filters"] = null,
        ["order"] = "C",
        ["shape"] = new JsonArray([.. Shape.Select(s => (JsonNode)s)]),
        ["zarr_format"] = 2,
    };

    private JsonObject ToV3()
    {
        JsonArray Chain(IEnumerable<ZarrByteCodec> codecs) => new(
        [
            new JsonObject { ["name"] = "bytes", ["configuration"] = new JsonObject { ["endian"] = BigEndian ? "big" : "little" } },
            .. codecs.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Kind,
                ["configuration"] = c.Kind == "zstd"
                    ? new JsonObject { ["level"] = c.Level ?? DefaultLevel(c.Kind), ["checksum"] = false }
                    : new JsonObject { ["level"] = c.Level ?? DefaultLevel(c.Kind) },
            }),
        ]);

        var codecs = InnerChunkShape is null
            ? Chain(Codecs)
            : new JsonArray(new JsonObject
            {
                ["name"] = "sharding_indexed",
                ["configuration"] = new JsonObject
                {
                    ["chunk_shape"] = new JsonArray([.. InnerChunkShape.Select(c => (JsonNode)c)]),
                    ["codecs"] = Chain(Codecs),
                    ["index_codecs"] = new JsonArray(
                        new JsonObject { ["name"] = "bytes", ["configuration"] = new JsonObject { ["endian"] = "little" } },
                        new JsonObject { ["name"] = "crc32c" }),
                    ["index_location"] = "end",
                },
            });
        return new JsonObject
        {
            ["zarr_format"] = 3,
            ["node_type"] = "array",
            ["shape"] = new JsonArray([.. Shape.Select(s => (JsonNode)s)]),
            ["data_type"] = DType.Name(),
            ["chunk_grid"] = new JsonObject
            {
                ["name"] = "regular",
                ["configuration"] = new JsonObject { ["chunk_shape"] = new JsonArray([.. ChunkShape.Select(c => (JsonNode)c)]) },
            },
            ["chunk_key_encoding"] = new JsonObject
            {
                ["name"] = PrefixedKeys ? "default" : "v2",
                ["configuration"] = new JsonObject { ["separator"] = Separator.ToString() },
            },
            ["fill_value"] = FillJson(),
            ["codecs"] = codecs,
            ["attributes"] = Attributes.DeepClone(),
        };
    }

    private static int DefaultLevel(string kind) => kind == "zstd" ? 3 : 6;

    private JsonNode? FillJson()
    {
        var value = FillValue.AsSpan();
        return DType switch
        {
            DType.Bool => JsonValue.Create(value[0] != 0),
            DType.Int8 => JsonValue.Create((sbyte)value[0]),
            DType.Int16 => JsonValue.Create(BinaryPrimitives.ReadInt16LittleEndian(value)),
            DType.Int32 => JsonValue.Create(BinaryPrimitives.ReadInt32LittleEndian(value)),
            DType.Int64 => JsonValue.Create(BinaryPrimitives.ReadInt64LittleEndian(value)),
            DType.UInt8 => JsonValue.Create(value[0]),
            DType.UInt16 => JsonValue.Create(BinaryPrimitives.ReadUInt16LittleEndian(value)),
            DType.UInt32 => JsonValue.Create(BinaryPrimitives.ReadUInt32LittleEndian(value)),
            DType.UInt64 => JsonValue.Create(BinaryPrimitives.ReadUInt64LittleEndian(value)),
            DType.Float32 => Float(BinaryPrimitives.ReadSingleLittleEndian(value)),
            _ => Float(BinaryPrimitives.ReadDoubleLittleEndian(value)),
        };

        static JsonNode Float(double v) => double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "Infinity" : double.IsNegativeInfinity(v) ? "-Infinity" : JsonValue.Create(v);
    }

    private static byte[] FillBytes(JsonNode? node, DType dtype, string file)
    {
        var bytes = new byte[dtype.ItemSize()];
        if (node is null)
        {
            return bytes; // v2 allows null: no fill value defined; missing chunks read as zeros
        }

        var element = node.GetValueKind();
        double number;
        if (element == JsonValueKind.String)
        {
            var text = node.GetValue<string>();
            if (text.StartsWith("0x", StringComparison.Ordinal) && dtype is DType.Float32 or DType.Float64)
            {
                var bits = ulong.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (dtype == DType.Float32)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bits);
                }
                else
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, bits);
                }

                return bytes;
            }

            number = text switch
            {
                // The quiet NaN numpy and zarr-python use (0x7FF8…; .NET's double.NaN has the sign bit set).
                "NaN" => BitConverter.Int64BitsToDouble(0x7FF8000000000000),
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => throw Corrupt(file, $"fill_value \"{text}\" is not a number"),
            };
        }
        else if (element is JsonValueKind.True or JsonValueKind.False)
        {
            number = element == JsonValueKind.True ? 1 : 0;
        }
        else
        {
            var value = node.AsValue();
            if (dtype is DType.Int64 or DType.UInt64 && value.TryGetValue<long>(out var whole))
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes, whole);
                return bytes;
            }

            if (dtype == DType.UInt64 && value.TryGetValue<ulong>(out var big))
            {
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, big);
                return bytes;
            }

            number = value.GetValue<double>();
        }

        switch (dtype)
        {
            case DType.Bool: bytes[0] = number != 0 ? (byte)1 : (byte)0; break;
            case DType.Int8: bytes[0] = (byte)(sbyte)number; break;
            case DType.UInt8: bytes[0] = (byte)number; break;
            case DType.Int16: BinaryPrimitives.WriteInt16LittleEndian(bytes, (short)number); break;
            case DType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)number); break;
            case DType.Int32: BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)number); break;
            case DType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)number); break;
            case DType.Int64: BinaryPrimitives.WriteInt64LittleEndian(bytes, (long)number); break;
            case DType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)number); break;
            case DType.Float32: BinaryPrimitives.WriteSingleLittleEndian(bytes, (float)number); break;
            default: BinaryPrimitives.WriteDoubleLittleEndian(bytes, number); break;
        }

        return bytes;
    }

    private static long[] Longs(JsonNode? node, string file, string what) =>
        node is JsonArray array ? [.. array.Select(n => n?.GetValue<long>() ?? throw Corrupt(file, $"{what} has a null length"))] : throw Corrupt(file, $"no {what}");

    private static int[] Ints(JsonNode? node, string file, string what) =>
        node is JsonArray array ? [.. array.Select(n => n?.GetValue<int>() ?? throw Corrupt(file, $"{what} has a null length"))] : throw Corrupt(file, $"no {what}");

    private static void CheckGrid(long[] shape, int[] chunks, DType dtype, string file)
    {
        Require(chunks.Length == shape.Length, file, $"chunks {Shapes.Format(chunks)} do not have one length per axis of shape {Shapes.Format(shape)}");
        Require(shape.All(s => s >= 0) && chunks.All(c => c >= 1), file, $"shape {Shapes.Format(shape)} or chunks {Shapes.Format(chunks)} out of range");
        try
        {
            Shapes.ByteLength(shape, dtype);
        }
        catch (ShapeException e)
        {
            throw Corrupt(file, e.Message.TrimEnd('.'));
        }
    }

    // The unit the store reads (a chunk, or a shard's inner chunk) is decoded into one buffer.
    private static void CheckReadUnit(int[] chunks, DType dtype, string file) =>
        Require(Shapes.ChunkBytes(chunks, dtype.ItemSize()) >= 0, file,
            $"chunks {Shapes.Format(chunks)} of {dtype.Name()} hold more than {Array.MaxLength} bytes each, the most one chunk buffer holds");

    private static void Require(bool condition, string file, string problem)
    {
        if (!condition)
        {
            throw Corrupt(file, problem);
        }
    }

    private static CorruptDataException Corrupt(string file, string problem) => new($"{file}: {problem}.", file);
}
