using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Store.Core.Formats.Zarr;

namespace Store.Core.Storage;

/// <summary>
/// What a root holds, recorded in <c>&lt;root&gt;/.store.json</c> when a store creates (or first
/// writes) it: the kind of data, the disk format and, for Zarr, the layout new arrays get. A store
/// opened without a format reads it from here, one opened with a format that contradicts it is
/// refused, and a root without one (written by another tool, or by an older store) is recognised
/// by its files.
/// </summary>
/// <param name="Kind">Arrays or tables.</param>
/// <param name="Format">The disk format.</param>
/// <param name="Zarr">For Zarr roots: the options new arrays are created with.</param>
public sealed record RootManifest(StoreKind Kind, DiskFormat Format, ZarrOptions? Zarr)
{
    /// <summary>The manifest's file name under the root.</summary>
    public const string FileName = ".store.json";

    /// <summary>The manifest of <paramref name="root"/>, or null when it has none.</summary>
    /// <exception cref="CorruptDataException">A manifest that cannot be read, naming it.</exception>
    public static RootManifest? Read(string root)
    {
        var file = Path.Combine(root, FileName);
        if (AtomicFile.ReadIfPresent(file) is not { } bytes)
        {
            return null;
        }

        try
        {
            var document = JsonNode.Parse(bytes)!;
            var kind = Enum.Parse<StoreKind>(document["kind"]!.GetValue<string>(), ignoreCase: true);
            var format = Enum.Parse<DiskFormat>(document["format"]!.GetValue<string>(), ignoreCase: true);
            if (format == DiskFormat.None || !KindOf(format).Equals(kind))
            {
                throw new FormatException($"format {format} does not hold {Plural(kind)}");
            }

            ZarrOptions? zarr = null;
            if (document["zarr"] is JsonObject z)
            {
                zarr = new ZarrOptions
                {
                    Version = z["version"]!.GetValue<int>(),
                    Compressor = Enum.Parse<ZarrCompressor>(z["compressor"]!.GetValue<string>(), ignoreCase: true),
                    CompressionLevel = z["compressionLevel"]?.GetValue<int>(),
                    ChunkShape = z["chunkShape"]?.AsArray().Select(c => c!.GetValue<int>()).ToArray(),
                    TargetChunkBytes = z["targetChunkBytes"]!.GetValue<int>(),
                    DimensionSeparator = z["dimensionSeparator"]?.GetValue<string>() is [var separator] ? separator : null,
                    V2ChunkKeys = z["v2ChunkKeys"]?.GetValue<bool>() ?? false,
                    ChunksPerShard = z["chunksPerShard"]?.GetValue<int>(),
                };
            }

            return new RootManifest(kind, format, zarr);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new CorruptDataException(
                $"{file}: not a store manifest ({e.Message}); expected {{\"kind\": \"array\"|\"table\", \"format\": \"zarr\"|\"npy\"|…}}. Delete it to have the store recognise the root by its files.",
                file, e);
        }
    }

    /// <summary>Writes the manifest into <paramref name="root"/>, atomically.</summary>
    internal void Write(string root)
    {
        var document = new JsonObject
        {
            ["kind"] = Kind.ToString().ToLowerInvariant(),
            ["format"] = Format.ToString().ToLowerInvariant(),
        };
        if (Zarr is { } zarr)
        {
            document["zarr"] = new JsonObject
            {
                ["version"] = zarr.Version,
                ["compressor"] = zarr.Compressor.ToString().ToLowerInvariant(),
                ["compressionLevel"] = zarr.CompressionLevel,
                ["chunkShape"] = zarr.ChunkShape is { } shape ? new JsonArray([.. shape.Select(c => JsonValue.Create(c))]) : null,
                ["targetChunkBytes"] = zarr.TargetChunkBytes,
                ["dimensionSeparator"] = zarr.DimensionSeparator?.ToString(),
                ["v2ChunkKeys"] = zarr.V2ChunkKeys,
                ["chunksPerShard"] = zarr.ChunksPerShard,
            };
        }

        document["storeVersion"] = typeof(RootManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        document["created"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(document, new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.Replace(Path.Combine(root, FileName), stream => stream.Write(bytes));
    }

    /// <summary>The kind of data <paramref name="format"/> holds.</summary>
    internal static StoreKind KindOf(DiskFormat format) =>
        format is DiskFormat.Npy or DiskFormat.Npz or DiskFormat.Zarr ? StoreKind.Array : StoreKind.Table;

    /// <summary>"arrays" or "tables".</summary>
    internal static string Plural(StoreKind kind) => kind == StoreKind.Array ? "arrays" : "tables";

    /// <summary>
    /// The formats whose files <paramref name="root"/> holds (links not followed; the store's own
    /// hidden files ignored), each with what showed it (<c>zarr.json</c>, <c>*.parquet</c>).
    /// </summary>
    internal static IReadOnlyDictionary<DiskFormat, string> Detect(string root)
    {
        var found = new SortedDictionary<DiskFormat, string>();
        foreach (var file in StorePaths.EnumerateFiles(root, "*"))
        {
            var name = Path.GetFileName(file);
            var evidence = name switch
            {
                "zarr.json" or ".zgroup" or ".zarray" => (DiskFormat.Zarr, name),
                _ when name.StartsWith('.') => (DiskFormat.None, ""),
                _ when name.EndsWith(".npy", StringComparison.Ordinal) => (DiskFormat.Npy, "*.npy"),
                _ when name.EndsWith(".npz", StringComparison.Ordinal) => (DiskFormat.Npz, name),
                _ when name.EndsWith(".parquet", StringComparison.Ordinal) => (DiskFormat.Parquet, "*.parquet"),
                _ when name.EndsWith(".csv", StringComparison.Ordinal) => (DiskFormat.Csv, "*.csv"),
                _ when name.EndsWith(".jsonl", StringComparison.Ordinal) => (DiskFormat.Json, "*.jsonl"),
                _ when name.EndsWith(".arrow", StringComparison.Ordinal) => (DiskFormat.Ipc, "*.arrow"),
                _ => (DiskFormat.None, ""),
            };
            if (evidence.Item1 != DiskFormat.None)
            {
                found.TryAdd(evidence.Item1, evidence.Item2);
            }
        }

        return found;
    }

    /// <summary>
    /// The Zarr version a root's documents show: its group document (<c>zarr.json</c>: 3,
    /// <c>.zgroup</c>: 2), else the one version its other documents have; null when it has none or both.
    /// </summary>
    internal static int? ZarrVersion(string root)
    {
        if (File.Exists(Path.Combine(root, "zarr.json")))
        {
            return 3;
        }

        if (File.Exists(Path.Combine(root, ".zgroup")))
        {
            return 2;
        }

        var versions = StorePaths.EnumerateFiles(root, "*")
            .Select(Path.GetFileName)
            .Select(name => name switch { "zarr.json" => 3, ".zarray" or ".zgroup" => 2, _ => 0 })
            .Where(v => v != 0)
            .Distinct()
            .Take(2)
            .ToList();
        return versions.Count == 1 ? versions[0] : null;
    }
}
