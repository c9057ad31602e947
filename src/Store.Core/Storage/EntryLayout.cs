using System.Text;

namespace Store.Core.Storage;

/// <summary>
/// The names one disk format gives an entry, and the two checks that keep them safe. Limits: each
/// name, with what the store adds to it (extension, sidecar, temporary-file affixes), fits the file
/// system's <see cref="MaxNameBytes"/>, and the longest path fits <see cref="MaxPathBytes"/>;
/// checked at the first command for a path, so a path the disk cannot hold is refused before it is
/// acknowledged rather than failing every later flush. Links: no existing name on the way from the
/// root to the entry's files is a symbolic link; checked at the first command and again at every
/// open and flush (a few <c>lstat</c> calls), since links can appear later. The root itself may be
/// a link or lie under one: only names below it are inspected. The store follows no link below its
/// root, even one pointing back inside it, so no two entry paths can share a file.
/// </summary>
internal sealed class EntryLayout
{
    /// <summary>The longest name of one file or folder, in bytes (Linux <c>NAME_MAX</c>).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The longest full path, in bytes (Linux <c>PATH_MAX</c> of 4096, less its terminating NUL).</summary>
    public const int MaxPathBytes = 4095;

    /// <summary>
    /// The bytes below a Zarr array's folder the store keeps free for its own names: a slash, a chunk
    /// key (<c>c/12/0/0</c>) and a temporary-file affix.
    /// </summary>
    public const int ZarrInsideBytes = 128;

    /// <summary>What <see cref="AtomicFile"/> adds to a name for its temporary file: <c>.{name}.{32 hex digits}.tmp</c>.</summary>
    public static readonly int TemporaryAffixBytes = 2 + 32 + AtomicFile.TempSuffix.Length;

    private readonly string _extension;
    private readonly string[] _sidecars;
    private readonly string[] _inside;
    private readonly string[] _groupDocuments;
    private readonly string? _archive;
    private readonly int _lastAddedBytes;
    private readonly int _insideBytes;
    private bool _partFolder; // set once, by Parts

    private EntryLayout(string extension, string[] sidecars, string[] inside, string[] groupDocuments, string? archive, int lastAddedBytes, int insideBytes)
    {
        _extension = extension;
        _sidecars = sidecars;
        _inside = inside;
        _groupDocuments = groupDocuments;
        _archive = archive;
        _lastAddedBytes = lastAddedBytes;
        _insideBytes = insideBytes;
    }

    /// <summary>
    /// One file <c>&lt;root&gt;/&lt;path&gt;&lt;extension&gt;</c> per entry, replaced through temporary
    /// files beside it, with <paramref name="sidecars"/> (suffixes of the file's name) beside it.
    /// </summary>
    public static EntryLayout File(string extension, params string[] sidecars) =>
        new(extension, sidecars, [], [], null,
            Bytes(extension) + sidecars.Select(Bytes).DefaultIfEmpty(0).Max() + TemporaryAffixBytes, 0);

    /// <summary>
    /// The bytes below a part folder the store keeps free: a slash and a temporary part name
    /// (<c>.part-&lt;up to 20 digits&gt;&lt;ext&gt;.&lt;32 hex digits&gt;.tmp</c>), less the extension.
    /// </summary>
    public static readonly int PartInsideBytes = 1 + Storage.PartFolder.PartPrefix.Length + 20 + TemporaryAffixBytes;

    /// <summary>
    /// One folder <c>&lt;root&gt;/&lt;path&gt;&lt;extension&gt;</c> of part files per entry (Parquet, IPC),
    /// replaced through a staging folder beside it; an entry stored as one file by another tool has
    /// the same name, so the same limits hold for it.
    /// </summary>
    public static EntryLayout Parts(string extension) =>
        new(extension, [], [], [], null, Bytes(extension) + TemporaryAffixBytes, PartInsideBytes + Bytes(extension)) { _partFolder = true };

    /// <summary>
    /// One folder <c>&lt;root&gt;/&lt;path&gt;</c> per entry holding <paramref name="metadata"/> and
    /// chunk files, with <paramref name="groupDocuments"/> in the root and every folder above it (Zarr).
    /// </summary>
    public static EntryLayout Folder(string[] metadata, string[] groupDocuments) =>
        new("", [], metadata, groupDocuments, null, 0, ZarrInsideBytes);

    /// <summary>
    /// Every entry a member <c>&lt;path&gt;&lt;memberExtension&gt;</c> of one archive <c>&lt;root&gt;/&lt;name&gt;</c>
    /// (NPZ). Members have no file-system path, but each segment is kept to a name a file system can
    /// hold, so the archive unpacks (<c>unzip</c>, <c>zipfile.extractall</c>) where it was written.
    /// </summary>
    public static EntryLayout Archive(string name, string memberExtension) =>
        new(memberExtension, [], [], [], name, Bytes(memberExtension), 0);

    /// <summary>
    /// Everything a path must satisfy before it becomes an entry: the path rules of
    /// <see cref="StorePaths.Validate"/>, the file system's limits, and no link on the way.
    /// </summary>
    /// <exception cref="InvalidPathException">A rule is broken; the message names the path, the name and the limit or link.</exception>
    public void CheckNew(string root, string path)
    {
        StorePaths.Validate(path);
        CheckLimits(root, path);
        CheckLinks(root, path);
    }

    /// <summary>
    /// The entry's file (or folder) under <paramref name="root"/>, after checking that no name on the
    /// way to its files is a link. A part folder's parts are not listed here: every read lists them
    /// (<see cref="PartFolder.Parts"/>, which refuses links), and a flush only adds a new one.
    /// </summary>
    /// <exception cref="InvalidPathException">The path breaks the path rules, or a name on the way is a symbolic link.</exception>
    public string Locate(string root, string path)
    {
        var file = StorePaths.FileFor(root, path, _extension);
        CheckLinks(root, path, listParts: false);
        return file;
    }

    /// <summary>Throws when an existing name on the way from <paramref name="root"/> to the entry's files is a symbolic link.</summary>
    /// <exception cref="InvalidPathException">A name is a link; the message names it and where it points.</exception>
    public void CheckLinks(string root, string path) => CheckLinks(root, path, listParts: true);

    private void CheckLinks(string root, string path, bool listParts)
    {
        if (_archive is not null)
        {
            StorePaths.CheckNoLink(root, _archive, path);
            return;
        }

        var segments = path.Split('/');
        var folder = Path.TrimEndingDirectorySeparator(root);
        for (var i = 0; i < segments.Length; i++)
        {
            foreach (var document in _groupDocuments)
            {
                StorePaths.CheckNoLink(folder, document, path);
            }

            var last = i == segments.Length - 1;
            var name = last ? segments[i] + _extension : segments[i];
            if (last)
            {
                foreach (var sidecar in _sidecars)
                {
                    StorePaths.CheckNoLink(folder, name + sidecar, path);
                }
            }

            if (!StorePaths.CheckNoLink(folder, name, path))
            {
                return; // Missing: nothing below it exists.
            }

            folder = Path.Combine(folder, name);
        }

        foreach (var name in _inside)
        {
            StorePaths.CheckNoLink(folder, name, path);
        }

        if (listParts && _partFolder && Directory.Exists(folder))
        {
            _ = PartFolder.Parts(folder, _extension, path); // refuses a part that is a link
        }
    }

    private void CheckLimits(string root, string path)
    {
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            var bytes = Bytes(segments[i]);
            var added = last ? _lastAddedBytes : 0;
            if (bytes + added <= MaxNameBytes)
            {
                continue;
            }

            throw new InvalidPathException(
                added == 0
                    ? $"Entry path '{path}': segment '{segments[i]}' is {bytes} bytes in UTF-8; a name on disk may have at most {MaxNameBytes} bytes."
                    : $"Entry path '{path}': last segment '{segments[i]}' is {bytes} bytes in UTF-8; the store adds up to {added} bytes to it on disk " +
                      $"({Describe()}), so it may have at most {MaxNameBytes - added} bytes (the file system allows {MaxNameBytes} per name).",
                path);
        }

        if (_archive is not null)
        {
            return;
        }

        var total = Bytes(Path.TrimEndingDirectorySeparator(root)) + 1 + Bytes(path) + _lastAddedBytes + _insideBytes;
        if (total > MaxPathBytes)
        {
            throw new InvalidPathException(
                $"Entry path '{path}' is {Bytes(path)} bytes in UTF-8; under the root '{root}' the longest path the store writes for it " +
                $"({(_insideBytes > 0 ? $"its folder{_extension} plus {_insideBytes} bytes for {(_extension.Length > 0 ? "part" : "chunk")} names and temporary files" : Describe())}) " +
                $"is {total} bytes, and the file system allows {MaxPathBytes}.",
                path);
        }
    }

    private string Describe()
    {
        var longest = _extension + _sidecars.OrderByDescending(Bytes).FirstOrDefault();
        return _archive is not null
            ? $"the member name ends in '{_extension}'"
            : $"the temporary file '.<segment>{longest}.<32 hex digits>{AtomicFile.TempSuffix}'";
    }

    private static int Bytes(string text) => Encoding.UTF8.GetByteCount(text);
}
