using Store.Core;
using Store.Core.Formats.Zarr;

namespace Store.Actors.CrashWorker;

/// <summary>The formats the crash worker writes and how it opens each, shared with the tests that reopen its stores.</summary>
public static class CrashFormat
{
    /// <summary>The entry every producer appends to.</summary>
    public const string Entry = "data/frames";

    /// <summary>Every format, arrays first.</summary>
    public static IReadOnlyList<string> All { get; } = ["npy", "npz", "zarr2", "zarr3", "zarr3-sharded", "parquet", "ipc", "csv", "json"];

    /// <summary>Whether the format holds arrays (else tables).</summary>
    public static bool IsArray(string format) => format is "npy" or "npz" or "zarr2" or "zarr3" or "zarr3-sharded";

    /// <summary>
    /// The journaled store options for <paramref name="format"/>: small Zarr chunks (and shards of
    /// four) so flushes write several, and a short trim threshold so the journal trims often.
    /// </summary>
    public static ActorStoreOptions Options(string root, string format) => new()
    {
        Root = root,
        Durability = Durability.Journal,
        JournalTrimEvents = 25,
        DiskFormat = format switch
        {
            "npy" => DiskFormat.Npy,
            "npz" => DiskFormat.Npz,
            "zarr2" or "zarr3" or "zarr3-sharded" => DiskFormat.Zarr,
            "parquet" => DiskFormat.Parquet,
            "ipc" => DiskFormat.Ipc,
            "csv" => DiskFormat.Csv,
            "json" => DiskFormat.Json,
            _ => throw new ArgumentException($"unknown format {format}", nameof(format)),
        },
        Zarr = format switch
        {
            "zarr2" => new ZarrOptions { Version = 2, ChunkShape = [16, 4], Compressor = ZarrCompressor.Zstd },
            "zarr3" => new ZarrOptions { Version = 3, ChunkShape = [16, 4] },
            "zarr3-sharded" => new ZarrOptions { Version = 3, ChunkShape = [8, 4], ChunksPerShard = 4, Compressor = ZarrCompressor.Gzip },
            _ => null,
        },
    };
}
