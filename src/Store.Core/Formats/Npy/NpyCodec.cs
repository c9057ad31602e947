using Store.Core.Arrays;
using Store.Core.Storage;

namespace Store.Core.Formats.Npy;

/// <summary>
/// One <c>&lt;root&gt;/&lt;path&gt;.npy</c> file per entry. A flush after appends extends the file in
/// place: the new rows go after the old ones and reach the disk first, then the header's shape is
/// rewritten, so a crash leaves either the old array (with ignored trailing bytes) or the new one.
/// Anything else (a new entry, a replace, a write into flushed rows, a header without room) is an
/// atomic whole-file replace.
/// </summary>
internal sealed class NpyCodec : ArrayCodec
{
    /// <summary>The file extension of entries.</summary>
    public const string Extension = ".npy";

    private static readonly EntryLayout FileLayout = EntryLayout.File(Extension);

    /// <inheritdoc />
    public override DiskFormat Format => DiskFormat.Npy;

    /// <inheritdoc />
    public override EntryLayout Layout => FileLayout;

    /// <inheritdoc />
    public override IReadOnlyList<string> Discover(string root) =>
        StorePaths.EnumerateFiles(root, "*" + Extension)
            .Select(file => StorePaths.EntryFor(root, file, Extension))
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <inheritdoc />
    public override ArraySource? Open(string root, string path)
    {
        var file = FileLayout.Locate(root, path);
        return File.Exists(file) ? NpyFileSource.Open(file) : null;
    }

    /// <inheritdoc />
    public override void Flush(string root, IReadOnlyList<ArrayEntry> entries)
    {
        var failures = new FlushFailures();
        foreach (var entry in entries)
        {
            failures.Run(entry.Path, () =>
            {
                lock (entry.Gate)
                {
                    if (entry.Dirty)
                    {
                        FlushEntry(root, entry);
                    }
                }
            });
        }

        failures.ThrowIfAny(entries.Count);
    }

    /// <inheritdoc />
    public override void Clear(string root) => DeleteFiles(root, "*" + Extension);

    private static void FlushEntry(string root, ArrayEntry entry)
    {
        // Checked before anything is opened: an in-place append would write through a link.
        var file = FileLayout.Locate(root, entry.Path);
        var shape = entry.Shape!;
        var dtype = entry.DType!.Value;
        if (!entry.NeedsRewrite && entry.PersistedBytes > 0
            && entry.OpenSource() is NpyFileSource { Header: var header }
            && header.EncodeInPlace(shape) is { } newHeader)
        {
            AppendInPlace(file, header.DataOffset + entry.PersistedBytes, newHeader, entry);
        }
        else
        {
            AtomicFile.Replace(file, stream =>
            {
                stream.Write(NpyHeader.Encode(dtype, shape));
                entry.CopyAllTo(stream);
            });
        }

        entry.CompleteFlush();
    }

    private static void AppendInPlace(string file, long dataEnd, byte[] newHeader, ArrayEntry entry)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        stream.Position = dataEnd;
        entry.CopyBufferTo(stream);
        stream.SetLength(stream.Position);
        stream.Flush(flushToDisk: true);
        CrashPoint.Hit(CrashPoint.NpyRowsWritten);

        stream.Position = 0;
        stream.Write(newHeader);
        stream.Flush(flushToDisk: true);
    }
}
