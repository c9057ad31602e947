namespace Store.Core.Storage;

/// <summary>
/// The names one disk format gives an entry, and the check that keeps them safe: no existing name
/// on the way from the root to the entry's files is a symbolic link; checked at the first command
/// for a path and again at every open and flush (a few <c>lstat</c> calls), since links can appear
/// later. The root itself may be a link or lie under one: only names below it are inspected. The
/// store follows no link below its root, even one pointing back inside it, so no two entry paths
/// can share a file.
/// </summary>
internal sealed class EntryLayout
{
    private readonly string _extension;
    private readonly string[] _sidecars;
    private readonly string[] _inside;
    private readonly string[] _groupDocuments;
    private readonly string? _archive;

    private EntryLayout(string extension, string[] sidecars, string[] inside, string[] groupDocuments, string? archive)
    {
        _extension = extension;
        _sidecars = sidecars;
        _inside = inside;
        _groupDocuments = groupDocuments;
        _archive = archive;
    }

    /// <summary>
    /// One file <c>&lt;root&gt;/&lt;path&gt;&lt;extension&gt;</c> per entry, replaced through temporary
    /// files beside it, with <paramref name="sidecars"/> (suffixes of the file's name) beside it.
    /// </summary>
    public static EntryLayout File(string extension, params string[] sidecars) =>
        new(extension, sidecars, [], [], null);

    /// <summary>
    /// One folder <c>&lt;root&gt;/&lt;path&gt;</c> per entry holding <paramref name="metadata"/> and
    /// chunk files, with <paramref name="groupDocuments"/> in the root and every folder above it (Zarr).
    /// </summary>
    public static EntryLayout Folder(string[] metadata, string[] groupDocuments) =>
        new("", [], metadata, groupDocuments, null);

    /// <summary>Every entry a member <c>&lt;path&gt;&lt;memberExtension&gt;</c> of one archive <c>&lt;root&gt;/&lt;name&gt;</c> (NPZ).</summary>
    public static EntryLayout Archive(string name, string memberExtension) =>
        new(memberExtension, [], [], [], name);

    /// <summary>
    /// Everything a path must satisfy before it becomes an entry: the path rules of
    /// <see cref="StorePaths.Validate"/>, and no link on the way.
    /// </summary>
    /// <exception cref="InvalidPathException">A rule is broken; the message names the path and the rule or link.</exception>
    public void CheckNew(string root, string path)
    {
        StorePaths.Validate(path);
        CheckLinks(root, path);
    }

    /// <summary>The entry's file (or folder) under <paramref name="root"/>, after checking that no name on the way to its files is a link.</summary>
    /// <exception cref="InvalidPathException">The path breaks the path rules, or a name on the way is a symbolic link.</exception>
    public string Locate(string root, string path)
    {
        var file = StorePaths.FileFor(root, path, _extension);
        CheckLinks(root, path);
        return file;
    }

    /// <summary>Throws when an existing name on the way from <paramref name="root"/> to the entry's files is a symbolic link.</summary>
    /// <exception cref="InvalidPathException">A name is a link; the message names it and where it points.</exception>
    public void CheckLinks(string root, string path)
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
    }
}
