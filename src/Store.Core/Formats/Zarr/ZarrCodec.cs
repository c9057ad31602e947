using System.Text.Json;
using System.Text.Json.Nodes;
using Store.Core.Arrays;
using Store.Core.Storage;

namespace Store.Core.Formats.Zarr;

/// <summary>
/// The store root as a Zarr group, each entry a Zarr array in the folder of its path (v2
/// <c>.zarray</c> or v3 <c>zarr.json</c>; both are read whatever the options say). A flush after
/// appends writes only the chunks (or shards) from the one holding the first new row on, the
/// partly filled one atomically, every chunk synced, and the metadata last (temporary file and
/// rename), so a reader never sees a shape whose chunks are not on disk yet. A replace with the
/// same dtype and chunks rewrites the chunks in place; another layout removes the old array first.
/// </summary>
internal sealed class ZarrCodec(ZarrOptions options) : ArrayCodec
{
    private static readonly string[] MetadataFiles = [".zarray", "zarr.json"];

    private static readonly EntryLayout FolderLayout = EntryLayout.Folder(MetadataFiles, [".zgroup", "zarr.json"]);

    /// <inheritdoc />
    public override DiskFormat Format => DiskFormat.Zarr;

    /// <inheritdoc />
    public override EntryLayout Layout => FolderLayout;

    /// <inheritdoc />
    public override IReadOnlyList<string> Discover(string root) =>
        MetadataFiles
            .SelectMany(name => StorePaths.EnumerateFiles(root, name))
            .Where(file => Path.GetFileName(file) == ".zarray" || IsArrayDocument(file))
            .Select(file => Path.GetDirectoryName(file)!)
            .Where(folder => Path.GetFullPath(folder) != Path.GetFullPath(root))
            .Select(folder => StorePaths.EntryFor(root, folder, ""))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <inheritdoc />
    public override void CheckLayout(string path, DType dtype, long[] shape, int[]? chunks) =>
        ZarrMetadata.Create(options, dtype, shape, chunks, path);

    /// <inheritdoc />
    public override ArraySource? Open(string root, string path)
    {
        var folder = FolderLayout.Locate(root, path);
        return ReadMetadata(folder) is { } metadata ? new ZarrArraySource(folder, metadata) : null;
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
    public override void Clear(string root)
    {
        foreach (var entry in Discover(root))
        {
            Directory.Delete(StorePaths.FileFor(root, entry, ""), recursive: true);
        }

        // What is left of this format are group documents (and temporary files, which DeleteFiles sweeps).
        foreach (var name in new[] { ".zgroup", ".zattrs", "zarr.json" })
        {
            DeleteFiles(root, name);
        }
    }

    /// <summary>The metadata in <paramref name="folder"/> (v3 first), or null when it holds no array.</summary>
    /// <exception cref="CorruptDataException">Metadata that cannot be read or uses what the store does not support.</exception>
    private static ZarrMetadata? ReadMetadata(string folder)
    {
        var v3 = Path.Combine(folder, "zarr.json");
        if (File.Exists(v3) && IsArrayDocument(v3))
        {
            return ZarrMetadata.Parse(File.ReadAllBytes(v3), v3, 3);
        }

        var v2 = Path.Combine(folder, ".zarray");
        return File.Exists(v2) ? ZarrMetadata.Parse(File.ReadAllBytes(v2), v2, 2) : null;
    }

    /// <summary>Whether a <c>zarr.json</c> describes an array (a malformed one counts, so its error is reported on use).</summary>
    private static bool IsArrayDocument(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(file))?["node_type"]?.GetValue<string>() != "group";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return true;
        }
    }

    private void FlushEntry(string root, ArrayEntry entry)
    {
        // Checked before anything is written: chunk files are created in place, and a link would take them out of the root.
        var folder = FolderLayout.Locate(root, entry.Path);
        var dtype = entry.DType!.Value;
        var shape = entry.Shape!;
        ZarrMetadata? existing;
        try
        {
            existing = ReadMetadata(folder);
        }
        catch (CorruptDataException) when (entry.NeedsRewrite)
        {
            existing = null; // replaced anyway
        }

        ZarrMetadata metadata;
        long firstRow;
        long rowsOnDisk = 0;
        if (existing is not null && !entry.NeedsRewrite)
        {
            metadata = existing.WithShape(shape);
            firstRow = entry.PersistedBytes / Math.Max(Shapes.RowBytes(shape, dtype, entry.Path), 1);
            // Only appended since: the files hold every row the metadata shows, and new rows go after them.
            if (existing.Shape.Length > 0 && firstRow == existing.Shape[0])
            {
                rowsOnDisk = firstRow;
            }
        }
        else if (existing is not null && existing.DType == dtype && existing.Shape.Length == shape.Length
                 && (entry.RequestedChunks is null || entry.RequestedChunks.SequenceEqual(existing.ReadChunkShape))
                 && existing.Shape.Zip(shape).All(p => p.First <= p.Second))
        {
            // Same layout, not smaller: every old chunk key is overwritten or still inside the grid.
            metadata = existing.WithShape(shape);
            firstRow = 0;
        }
        else
        {
            if (existing is not null)
            {
                File.Delete(Path.Combine(folder, existing.FileName));
                Directory.Delete(folder, recursive: true);
            }

            metadata = ZarrMetadata.Create(options, dtype, shape, entry.RequestedChunks, entry.Path);
            firstRow = 0;
        }

        Directory.CreateDirectory(folder);
        var writer = new ZarrChunkWriter(folder, metadata, entry, entry.Path);
        writer.WriteFrom(firstRow, rowsOnDisk);
        CrashPoint.Hit(CrashPoint.ZarrChunksWritten);
        AtomicFile.Replace(Path.Combine(folder, metadata.FileName), stream => stream.Write(metadata.ToJson()));
        CrashPoint.Hit(CrashPoint.ZarrMetadataWritten);
        EnsureGroups(root, folder, metadata.Version);
        entry.CompleteFlush();
    }

    /// <summary>Writes group metadata into the root and every folder between it and the array, where missing.</summary>
    private static void EnsureGroups(string root, string arrayFolder, int version)
    {
        var (name, document) = version == 2
            ? (".zgroup", "{\n  \"zarr_format\": 2\n}")
            : ("zarr.json", "{\n  \"zarr_format\": 3,\n  \"node_type\": \"group\",\n  \"attributes\": {}\n}");
        var rootFull = Path.GetFullPath(root);
        for (var folder = Path.GetDirectoryName(Path.GetFullPath(arrayFolder)); folder is not null && folder.Length >= rootFull.TrimEnd(Path.DirectorySeparatorChar).Length; folder = Path.GetDirectoryName(folder))
        {
            var file = Path.Combine(folder, name);
            if (!File.Exists(file))
            {
                AtomicFile.Replace(file, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(document)));
            }
        }
    }
}
