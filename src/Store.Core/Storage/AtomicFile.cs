using System.Runtime.InteropServices;

namespace Store.Core.Storage;

/// <summary>
/// Whole-file replacement that a crash cannot tear: write a temporary file in the same folder,
/// flush it to disk, rename it over the target, then flush the folder so the rename is durable.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The suffix of temporary files; they never look like entries and are swept by mode <c>w</c>.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Replaces <paramref name="file"/> with what <paramref name="write"/> puts in the stream.</summary>
    public static void Replace(string file, Action<FileStream> write)
    {
        var temp = WriteTemp(file, write);
        try
        {
            Commit(temp, file);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Writes a synced temporary file beside <paramref name="file"/> and returns its path, for
    /// callers that record it somewhere (a commit record) before <see cref="Commit"/> renames it.
    /// </summary>
    public static string WriteTemp(string file, Action<FileStream> write)
    {
        var folder = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            CrashPoint.Hit(CrashPoint.TempWritten);
            return temp;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Renames the synced <paramref name="temp"/> over <paramref name="file"/> and syncs the folder,
    /// so the rename survives a crash. On failure the temporary file is left for the caller.
    /// </summary>
    public static void Commit(string temp, string file)
    {
        File.Move(temp, file, overwrite: true);
        CrashPoint.Hit(CrashPoint.Renamed);
        SyncFolder(Path.GetDirectoryName(file)!);
    }

    /// <summary>The bytes of a small record file (a manifest, a sidecar), or null when it does not exist.</summary>
    public static byte[]? ReadIfPresent(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Flushes a folder's entries (a rename) to disk; a no-op where the OS offers no way.</summary>
    public static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Native.open(folder, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return;
        }

        try
        {
            Native.fsync(fd);
        }
        finally
        {
            Native.close(fd);
        }
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc")]
        public static extern int close(int fd);
    }
}
