using Store.Core.Arrays;
using Store.Core.Formats.Npy;
using Store.Core.Formats.Npz;
using Store.Core.Formats.Zarr;
using Store.Core.Storage;

namespace Store.Core.Formats;

/// <summary>
/// How one disk format stores array entries: find them under a root, open one's flushed data,
/// flush what changed, and clear the root for mode <c>w</c>. One instance serves one store.
/// </summary>
internal abstract class ArrayCodec
{
    /// <summary>The format this codec writes.</summary>
    public abstract DiskFormat Format { get; }

    /// <summary>The codec for <paramref name="format"/>, or null for memory-only stores.</summary>
    /// <exception cref="StoreException">A format that does not hold arrays, or invalid Zarr options.</exception>
    public static ArrayCodec? Create(DiskFormat format, ZarrOptions? zarr) => format switch
    {
        DiskFormat.None => null,
        DiskFormat.Npy => new NpyCodec(),
        DiskFormat.Npz => new NpzCodec(),
        DiskFormat.Zarr => CreateZarr((zarr ?? new ZarrOptions()) with { Version = zarr?.Version ?? 3 }),
        _ => throw new StoreException($"Disk format {format} does not hold arrays; expected None, Npy, Npz or Zarr."),
    };

    /// <summary>
    /// Checks, before a store touches its root, that <paramref name="format"/> (null: to be settled
    /// from the root) holds arrays and that <paramref name="zarr"/> is valid; returns the format.
    /// </summary>
    /// <exception cref="StoreException">A table format, or invalid Zarr options.</exception>
    public static DiskFormat? Check(DiskFormat? format, ZarrOptions? zarr)
    {
        if (format is { } f && f is not (DiskFormat.None or DiskFormat.Npy or DiskFormat.Npz or DiskFormat.Zarr))
        {
            throw new StoreException($"Disk format {f} does not hold arrays; expected None, Npy, Npz or Zarr (or none, for what the root holds).");
        }

        zarr?.Validate();
        return format;
    }

    private static ZarrCodec CreateZarr(ZarrOptions options)
    {
        options.Validate();
        return new ZarrCodec(options);
    }

    /// <summary>
    /// Refuses, when a new entry is created (or one is given its own chunks), a layout this format
    /// could not write, so the error comes from the write that asked for it rather than from a later
    /// flush. Formats without chunks accept everything.
    /// </summary>
    /// <exception cref="ShapeException">The layout the entry would get does not fit the data or the format's buffers.</exception>
    public virtual void CheckLayout(string path, DType dtype, long[] shape, int[]? chunks)
    {
    }

    /// <summary>The names this format gives an entry on disk, and the limit and link checks on them.</summary>
    public abstract EntryLayout Layout { get; }

    /// <summary>The entry paths stored under <paramref name="root"/> (none reached through a symbolic link).</summary>
    public abstract IReadOnlyList<string> Discover(string root);

    /// <summary>Opens the flushed data of <paramref name="path"/>, or returns null when it has none.</summary>
    /// <exception cref="CorruptDataException">The stored data cannot be read.</exception>
    public abstract ArraySource? Open(string root, string path);

    /// <summary>Flushes every dirty entry of <paramref name="entries"/> and completes their flush.</summary>
    /// <exception cref="StoreException">Some entries failed; the message lists each with its cause, and the rest were flushed.</exception>
    public abstract void Flush(string root, IReadOnlyList<ArrayEntry> entries);

    /// <summary>Removes every file of this format under <paramref name="root"/> (and leftover temporary files).</summary>
    public abstract void Clear(string root);

    /// <summary>Deletes files matching <paramref name="pattern"/> under <paramref name="root"/>, then folders left empty.</summary>
    protected static void DeleteFiles(string root, string pattern)
    {
        foreach (var file in StorePaths.EnumerateFiles(root, pattern))
        {
            File.Delete(file);
        }

        foreach (var file in StorePaths.EnumerateFiles(root, "*" + AtomicFile.TempSuffix))
        {
            File.Delete(file);
        }

        foreach (var folder in StorePaths.EnumerateDirectories(root).OrderByDescending(f => f.Length))
        {
            if (!Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
    }
}
