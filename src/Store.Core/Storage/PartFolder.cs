using System.Globalization;
using System.Runtime.InteropServices;

namespace Store.Core.Storage;

/// <summary>
/// A table stored as a folder of immutable part files, <c>&lt;path&gt;&lt;ext&gt;/part-000000&lt;ext&gt;</c>,
/// one per flush, in row order. A part is written to a hidden temporary name, synced and renamed,
/// so readers globbing <c>*&lt;ext&gt;</c> (DuckDB, polars, pyarrow datasets) see whole parts only.
/// A whole-table replace builds a hidden folder beside the table and swaps the two names in one
/// step (Linux <c>renameat2(RENAME_EXCHANGE)</c>); elsewhere the swap is two renames, which a
/// crash can interrupt and <see cref="Recover"/> finishes.
/// </summary>
internal static class PartFolder
{
    /// <summary>The prefix of the part files the store writes.</summary>
    public const string PartPrefix = "part-";

    // A replacement that is complete and waits to take the table's name (the two-rename swap only).
    private const string ReadySuffix = ".ready" + AtomicFile.TempSuffix;

    /// <summary>
    /// The part files of the table folder <paramref name="folder"/>, in row order: by name length,
    /// then name, so <c>part-999999</c> precedes <c>part-1000000</c>. Hidden (temporary) files are
    /// not parts; a part that is a symbolic link is refused, since the store follows no links.
    /// </summary>
    /// <exception cref="InvalidPathException">A part is a symbolic link; the message names it and its target.</exception>
    public static IReadOnlyList<string> Parts(string folder, string extension, string? path = null)
    {
        // One directory listing; the entry kinds come with it (no stat per part), and only a link costs a readlink.
        var entries = new System.IO.Enumeration.FileSystemEnumerable<(string Path, bool Link, bool Directory)>(
            folder,
            (ref System.IO.Enumeration.FileSystemEntry entry) =>
                (entry.ToFullPath(), (entry.Attributes & FileAttributes.ReparsePoint) != 0, entry.IsDirectory))
        {
            ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry entry) =>
                !entry.FileName.StartsWith('.') && entry.FileName.EndsWith(extension, StringComparison.Ordinal),
        };
        var parts = new List<string>();
        foreach (var (file, link, directory) in entries)
        {
            if (link)
            {
                throw new InvalidPathException(
                    $"'{file}' is a symbolic link to '{new FileInfo(file).LinkTarget}'; expected a part file of the table '{folder}', since the store follows no links below its root.",
                    path ?? folder);
            }

            if (!directory)
            {
                parts.Add(file);
            }
        }

        return parts.OrderBy(f => Path.GetFileName(f).Length).ThenBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
    }

    /// <summary>The number of the part after <paramref name="parts"/> (one more than the highest store-numbered part).</summary>
    public static long NextNumber(IReadOnlyList<string> parts, string extension)
    {
        long next = 0;
        foreach (var part in parts)
        {
            var name = Path.GetFileName(part);
            if (IsStorePart(part, extension)
                && long.TryParse(name.AsSpan(PartPrefix.Length, name.Length - PartPrefix.Length - extension.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                next = Math.Max(next, number + 1);
            }
        }

        return next;
    }

    /// <summary>The name of part <paramref name="number"/>: <c>part-000042.parquet</c>.</summary>
    public static string PartName(long number, string extension) =>
        PartPrefix + number.ToString("D6", CultureInfo.InvariantCulture) + extension;

    /// <summary>
    /// Replaces the table at <paramref name="target"/> (a part folder, a single file, or nothing) by a
    /// folder whose parts <paramref name="fill"/> writes into the folder it is given. Readers see the
    /// old table or the new one, never a mix.
    /// </summary>
    public static void Replace(string target, Action<string> fill)
    {
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{AtomicFile.TempSuffix}");
        Directory.CreateDirectory(staging);
        try
        {
            fill(staging);
            AtomicFile.SyncFolder(staging);
            CrashPoint.Hit(CrashPoint.TempWritten);
            if (!Path.Exists(target))
            {
                Directory.Move(staging, target);
            }
            else if (!Exchange(staging, target))
            {
                SwapByRenames(staging, target);
            }

            CrashPoint.Hit(CrashPoint.Renamed);
            AtomicFile.SyncFolder(parent);
        }
        finally
        {
            // After a swap the staging name holds the old table: a folder, or the single file it was.
            Delete(staging);
            File.Delete(staging);
        }
    }

    /// <summary>Whether <paramref name="file"/> is a part the store numbered (<c>part-000042.parquet</c>), not a file another tool put in the folder.</summary>
    public static bool IsStorePart(string file, string extension)
    {
        var name = Path.GetFileName(file);
        return name.StartsWith(PartPrefix, StringComparison.Ordinal) && name.EndsWith(extension, StringComparison.Ordinal)
            && name.Length > PartPrefix.Length + extension.Length
            && name.AsSpan(PartPrefix.Length, name.Length - PartPrefix.Length - extension.Length).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    /// <summary>
    /// Finishes or undoes replacements a crash interrupted in the folders of <paramref name="root"/>:
    /// a complete replacement whose table name is free takes it; every other staging folder, old
    /// table and temporary part is deleted.
    /// </summary>
    public static void Recover(string root, string extension)
    {
        foreach (var ready in StorePaths.EnumerateDirectories(root).Where(d => Path.GetFileName(d).EndsWith(extension + ReadySuffix, StringComparison.Ordinal)).ToList())
        {
            var name = Path.GetFileName(ready)[1..^ReadySuffix.Length];
            var target = Path.Combine(Path.GetDirectoryName(ready)!, name);
            if (!Path.Exists(target))
            {
                Directory.Move(ready, target);
            }
        }

        bool Leftover(string name) =>
            name.StartsWith('.') && name.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal) && name.Contains(extension, StringComparison.Ordinal);
        foreach (var staging in StorePaths.EnumerateDirectories(root).Where(d => Leftover(Path.GetFileName(d))).ToList())
        {
            Delete(staging);
        }

        foreach (var temp in StorePaths.EnumerateFiles(root, "*" + AtomicFile.TempSuffix).Where(f => Leftover(Path.GetFileName(f))).ToList())
        {
            File.Delete(temp);
        }
    }

    /// <summary>Deletes a folder and everything in it, if it exists.</summary>
    public static void Delete(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Swaps two names in one step; false where the system or file system cannot.
    private static bool Exchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            if (Native.renameat2(Native.AtFdCwd, a, Native.AtFdCwd, b, Native.RenameExchange) == 0)
            {
                return true;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a C library without renameat2
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is 22 /* EINVAL */ or 38 /* ENOSYS */ or 95 /* EOPNOTSUPP */
            ? false
            : throw new IOException($"Cannot swap '{a}' with '{b}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }

    // The staging folder is marked complete (".ready"), the old table moved aside, and the new one
    // renamed in; a crash between the last two leaves the ready folder, which Recover renames in.
    private static void SwapByRenames(string staging, string target)
    {
        var parent = Path.GetDirectoryName(target)!;
        var name = Path.GetFileName(target);
        var ready = Path.Combine(parent, "." + name + ReadySuffix);
        Delete(ready);
        Directory.Move(staging, ready);
        var old = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old{AtomicFile.TempSuffix}");
        if (Directory.Exists(target))
        {
            Directory.Move(target, old);
            Directory.Move(ready, target);
            Delete(old);
        }
        else
        {
            File.Move(target, old);
            Directory.Move(ready, target);
            File.Delete(old);
        }
    }

    private static class Native
    {
        public const int AtFdCwd = -100;
        public const uint RenameExchange = 2;

        [DllImport("libc", SetLastError = true)]
        public static extern int renameat2(int olddirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, int newdirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath, uint flags);
    }
}
