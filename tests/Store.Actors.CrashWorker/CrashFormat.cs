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
    /// four) so flushes write several, and a short trim threshold so the journal trims often. With
    /// <paramref name="journal"/>, the journal is that server database and the store is named by its id.
    /// </summary>
    public static ActorStoreOptions Options(string root, string format, ServerJournal? journal = null) => With(journal, new()
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
    });

    private static ActorStoreOptions With(ServerJournal? journal, ActorStoreOptions options) => journal is null
        ? options
        : options with { JournalProvider = journal.Provider, JournalConnectionString = journal.ConnectionString, StoreId = journal.StoreId };
}

/// <summary>
/// A server journal (linq2db provider and connection string) and the store id it keeps the
/// store's events under; tests hand it to the worker process through environment variables.
/// </summary>
public sealed record ServerJournal(string Provider, string ConnectionString, string StoreId)
{
    private const string ProviderVariable = "STORE_CRASH_JOURNAL_PROVIDER";
    private const string ConnectionVariable = "STORE_CRASH_JOURNAL_CONNECTION";
    private const string StoreIdVariable = "STORE_CRASH_STORE_ID";

    /// <summary>The journal the environment names, or null (the SQLite file under the root).</summary>
    public static ServerJournal? FromEnvironment() =>
        Environment.GetEnvironmentVariable(ProviderVariable) is { Length: > 0 } provider
            ? new(provider, Environment.GetEnvironmentVariable(ConnectionVariable) ?? "", Environment.GetEnvironmentVariable(StoreIdVariable) ?? "")
            : null;

    /// <summary>Sets the variables <see cref="FromEnvironment"/> reads.</summary>
    public void Export(IDictionary<string, string?> environment)
    {
        environment[ProviderVariable] = Provider;
        environment[ConnectionVariable] = ConnectionString;
        environment[StoreIdVariable] = StoreId;
    }
}
