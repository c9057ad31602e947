namespace Store.Core.Storage;

/// <summary>
/// The rules for entry paths: <c>/</c>-separated names, never empty or absolute, no <c>.</c> or
/// <c>..</c> segments, no empty segments, backslashes or control characters, and never resolving
/// outside the store's root. What a path must also satisfy on disk (name lengths, no symbolic
/// links) is checked by <see cref="EntryLayout"/>, which knows each format's names.
/// </summary>
public static class StorePaths
{
    private static readonly EnumerationOptions WithoutLinks = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = false,
        MatchType = MatchType.Win32,
    };

    /// <summary>Returns <paramref name="path"/> when it is a valid entry path.</summary>
    /// <exception cref="InvalidPathException">The path breaks a rule; the message says which.</exception>
    public static string Validate(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidPathException("An entry path must not be empty.", path);
        }

        if (path[0] == '/')
        {
            throw new InvalidPathException($"Entry path '{path}' is absolute; expected a path relative to the store root.", path);
        }

        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                throw new InvalidPathException($"Entry path '{Printable(path)}' contains control character U+{(int)c:X4}.", path);
            }

            if (c == '\\')
            {
                throw new InvalidPathException($"Entry path '{path}' contains a backslash; segments are separated by '/'.", path);
            }
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                throw new InvalidPathException($"Entry path '{path}' has an empty segment.", path);
            }

            if (segment is "." or "..")
            {
                throw new InvalidPathException($"Entry path '{path}' contains a '{segment}' segment.", path);
            }
        }

        return path;
    }

    /// <summary>
    /// The file of entry <paramref name="path"/> under <paramref name="root"/> with
    /// <paramref name="extension"/>, checked to lie inside the root.
    /// </summary>
    public static string FileFor(string root, string path, string extension)
    {
        Validate(path);
        var file = Path.GetFullPath(Path.Combine(root, path + extension));
        var prefix = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        if (!file.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidPathException($"Entry path '{path}' resolves to '{file}', outside the store root '{root}'.", path);
        }

        return file;
    }

    /// <summary>
    /// The entry path of <paramref name="file"/> under <paramref name="root"/> (the extension
    /// removed), or null when the name is not a valid entry path.
    /// </summary>
    public static string? EntryFor(string root, string file, string extension)
    {
        var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
        if (!relative.EndsWith(extension, StringComparison.Ordinal))
        {
            return null;
        }

        var path = relative[..^extension.Length];
        try
        {
            return Validate(path);
        }
        catch (InvalidPathException)
        {
            return null;
        }
    }

    /// <summary>
    /// The files matching <paramref name="pattern"/> in <paramref name="root"/> and every folder below
    /// it, without entering or listing symbolic links: .NET's own recursive enumeration follows
    /// directory links (out of the root, and around loops), which would let discovery open, and
    /// mode <c>w</c> delete, files outside the store.
    /// </summary>
    internal static IEnumerable<string> EnumerateFiles(string root, string pattern) =>
        Directory.EnumerateFiles(root, pattern, WithoutLinks);

    /// <summary>The folders below <paramref name="root"/>, without entering or listing symbolic links.</summary>
    internal static IEnumerable<string> EnumerateDirectories(string root) =>
        Directory.EnumerateDirectories(root, "*", WithoutLinks);

    /// <summary>
    /// Checks <paramref name="name"/> in <paramref name="folder"/> without following it: throws when
    /// it is a symbolic link, returns whether it exists otherwise (one <c>lstat</c>).
    /// </summary>
    /// <exception cref="InvalidPathException">The name is a link; the message names it and where it points.</exception>
    internal static bool CheckNoLink(string folder, string name, string path)
    {
        var full = Path.Combine(folder, name);
        FileAttributes attributes;
        try
        {
            attributes = new FileInfo(full).Attributes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // Cannot be inspected, so cannot be opened either: the write fails on its own.
        }

        if ((int)attributes == -1)
        {
            return false; // How FileInfo reports a missing name (or a parent that is no folder).
        }

        if ((attributes & FileAttributes.ReparsePoint) != 0)
        {
            throw new InvalidPathException(
                $"'{full}' is a symbolic link to '{LinkTarget(full)}'; expected a file or folder for '{path}', since the store follows no links below its root.",
                path);
        }

        return true;
    }

    private static string? LinkTarget(string file)
    {
        try
        {
            return new FileInfo(file).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static string Printable(string path) =>
        string.Concat(path.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
