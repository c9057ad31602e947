using System.Runtime.InteropServices;

namespace Store.Core.Storage;

/// <summary>
/// Named steps of the write paths where a crash test can stop the process, as SQLite's crash
/// testing does. Inert unless the environment variable <see cref="Variable"/> names a point when
/// the process starts (<c>name</c>, or <c>name#n</c> for its n-th hit): then that hit kills the
/// process with SIGKILL, leaving the disk exactly as a real crash at that step would. The test
/// then checks the invariants: every acknowledged append once, every file readable.
/// </summary>
public static class CrashPoint
{
    /// <summary>The environment variable that arms a point.</summary>
    public const string Variable = "STORE_CRASH_POINT";

    /// <summary>A temporary file is written and synced; the rename over the target has not happened.</summary>
    public const string TempWritten = "file.temp-written";

    /// <summary>A temporary file was renamed over its target; the folder is not synced yet.</summary>
    public const string Renamed = "file.renamed";

    /// <summary>NPY: new rows are written after the old ones and synced; the header still has the old shape.</summary>
    public const string NpyRowsWritten = "npy.rows-written";

    /// <summary>Zarr: one chunk (or shard) file is written; later ones and the metadata are not.</summary>
    public const string ZarrChunkWritten = "zarr.chunk-written";

    /// <summary>Zarr: every chunk is written and synced; the metadata still has the old shape.</summary>
    public const string ZarrChunksWritten = "zarr.chunks-written";

    /// <summary>Zarr: the array metadata is replaced; group documents may still be missing.</summary>
    public const string ZarrMetadataWritten = "zarr.metadata-written";

    /// <summary>CSV/JSON lines: half of the new rows are appended (a multi-row batch cut in the middle).</summary>
    public const string TextRowsHalfWritten = "text.rows-half-written";

    /// <summary>CSV/JSON lines: the new rows are appended and synced; the sidecar still records the old committed length.</summary>
    public const string TextRowsWritten = "text.rows-written";

    /// <summary>CSV/JSON lines: the sidecar commits a new whole file that is not yet renamed into place.</summary>
    public const string TextSidecarCommitted = "text.sidecar-committed";

    /// <summary>Journal: a path's files are flushed; the snapshot and the trim of covered events have not happened.</summary>
    public const string JournalFilesFlushed = "journal.files-flushed";

    /// <summary>Journal: covered events were deleted.</summary>
    public const string JournalTrimmed = "journal.trimmed";

    /// <summary>Every point, for tests that visit them all.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TempWritten, Renamed, NpyRowsWritten, ZarrChunkWritten, ZarrChunksWritten, ZarrMetadataWritten,
        TextRowsHalfWritten, TextRowsWritten, TextSidecarCommitted, JournalFilesFlushed, JournalTrimmed,
    ];

    private static readonly string? Armed;
    private static int _hitsLeft;

    static CrashPoint()
    {
        var setting = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(setting))
        {
            return;
        }

        var hash = setting.LastIndexOf('#');
        Armed = hash < 0 ? setting : setting[..hash];
        _hitsLeft = hash < 0 ? 1 : int.Parse(setting[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Marks that the write path reached <paramref name="name"/>; kills the process when that hit is armed.</summary>
    public static void Hit(string name)
    {
        if (Armed is null || !string.Equals(Armed, name, StringComparison.Ordinal) || Interlocked.Decrement(ref _hitsLeft) != 0)
        {
            return;
        }

        Console.Out.Flush();
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = Native.kill(Environment.ProcessId, 9 /* SIGKILL */);
        }

        Environment.FailFast($"crash point {name}");
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int kill(int pid, int signal);
    }
}
