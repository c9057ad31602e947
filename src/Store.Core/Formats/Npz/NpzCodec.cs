using System.IO.Compression;
using Store.Core.Arrays;
using Store.Core.Formats.Npy;
using Store.Core.Storage;

namespace Store.Core.Formats.Npz;

/// <summary>
/// One <c>&lt;root&gt;/store.npz</c> archive (as <c>numpy.savez</c> writes: a ZIP of uncompressed
/// <c>.npy</c> members) holding every entry under its full path. An archive cannot grow in place,
/// so a flush that finds any change writes a new archive (changed members from memory, the rest
/// copied) and swaps it in atomically.
/// </summary>
internal sealed class NpzCodec : ArrayCodec
{
    /// <summary>The archive's file name under the root.</summary>
    public const string ArchiveName = "store.npz";

    private const string MemberExtension = ".npy";

    private static readonly EntryLayout ArchiveLayout = EntryLayout.Archive(ArchiveName, MemberExtension);

    private readonly Lock _archiveGate = new();
    private ZipIndex? _archive;

    /// <inheritdoc />
    public override DiskFormat Format => DiskFormat.Npz;

    /// <inheritdoc />
    public override EntryLayout Layout => ArchiveLayout;

    /// <inheritdoc />
    /// <remarks>An archive that is a symbolic link is not opened: the store lists nothing and refuses every path.</remarks>
    public override IReadOnlyList<string> Discover(string root)
    {
        lock (_archiveGate)
        {
            ZipIndex? archive;
            try
            {
                archive = OpenArchive(root);
            }
            catch (InvalidPathException)
            {
                return [];
            }

            return archive is null
                ? []
                : archive.Names
                    .Select(name => name.EndsWith(MemberExtension, StringComparison.Ordinal)
                        ? ValidOrNull(name[..^MemberExtension.Length])
                        : null)
                    .OfType<string>()
                    .Order(StringComparer.Ordinal)
                    .ToList();
        }
    }

    /// <inheritdoc />
    public override ArraySource? Open(string root, string path)
    {
        lock (_archiveGate)
        {
            var archive = OpenArchive(root);
            var member = archive?.Find(path + MemberExtension);
            return member is null ? null : NpzMemberSource.Open(archive!, member);
        }
    }

    /// <inheritdoc />
    public override void Flush(string root, IReadOnlyList<ArrayEntry> entries)
    {
        if (!entries.Any(e => e.Dirty))
        {
            return;
        }

        var ordered = entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        var held = new List<Lock>();
        try
        {
            foreach (var entry in ordered)
            {
                entry.Gate.Enter();
                held.Add(entry.Gate);
            }

            // The old archive's members are copied into the new one: never read them through a link.
            ArchiveLayout.CheckLinks(root, ArchiveName);
            var archivePath = ArchivePath(root);
            try
            {
                AtomicFile.Replace(archivePath, stream => WriteArchive(stream, root, ordered));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new StoreException($"Flush of {archivePath} failed: {e.Message}", archivePath, e);
            }

            foreach (var entry in ordered)
            {
                if (entry.Dirty)
                {
                    entry.CompleteFlush();
                }
                else
                {
                    entry.CloseSource();
                }
            }

            lock (_archiveGate)
            {
                _archive?.Dispose();
                _archive = null;
            }
        }
        finally
        {
            foreach (var gate in held)
            {
                gate.Exit();
            }
        }
    }

    /// <inheritdoc />
    public override void Clear(string root)
    {
        lock (_archiveGate)
        {
            _archive?.Dispose();
            _archive = null;
        }

        DeleteFiles(root, ArchiveName);
    }

    private void WriteArchive(Stream stream, string root, IReadOnlyList<ArrayEntry> entries)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.Exists))
        {
            var name = entry.Path + MemberExtension;
            written.Add(name);
            DType dtype;
            long[] shape;
            try
            {
                dtype = entry.DType!.Value;
                shape = entry.Shape!;
            }
            catch (CorruptDataException)
            {
                CopyMemberVerbatim(root, name, zip);
                continue;
            }

            using var output = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            output.Write(NpyHeader.Encode(dtype, shape));
            entry.CopyAllTo(output);
        }

        // Members that are not entries (other files, names that are not entry paths) are kept too.
        foreach (var name in OldMemberNames(root).Where(n => !written.Contains(n)))
        {
            CopyMemberVerbatim(root, name, zip);
        }
    }

    private IReadOnlyList<string> OldMemberNames(string root)
    {
        lock (_archiveGate)
        {
            return OpenArchive(root)?.Names.ToList() ?? [];
        }
    }

    /// <summary>Keeps a member this store cannot read exactly as it was, rather than dropping it.</summary>
    private void CopyMemberVerbatim(string root, string name, ZipArchive zip)
    {
        lock (_archiveGate)
        {
            var archive = OpenArchive(root);
            var old = archive?.Find(name);
            if (old is null)
            {
                return;
            }

            using var input = archive!.OpenRead(old);
            using var output = zip.CreateEntry(old.Name, CompressionLevel.NoCompression).Open();
            input.CopyTo(output);
        }
    }

    private ZipIndex? OpenArchive(string root)
    {
        if (_archive is not null)
        {
            return _archive;
        }

        ArchiveLayout.CheckLinks(root, ArchiveName);
        var path = ArchivePath(root);
        return _archive = File.Exists(path) ? ZipIndex.Open(path) : null;
    }

    private static string ArchivePath(string root) => Path.Combine(root, ArchiveName);

    private static string? ValidOrNull(string path)
    {
        try
        {
            return StorePaths.Validate(path);
        }
        catch (InvalidPathException)
        {
            return null;
        }
    }
}
