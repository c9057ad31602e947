using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Store.Core.Storage;

/// <summary>
/// One writer per root: an exclusive lock on <c>&lt;root&gt;/.store.lock</c> (on Linux and macOS a
/// <c>flock</c>, which .NET takes for <see cref="FileShare.None"/>), held until disposed and released
/// by the kernel when the process dies, so a crashed writer never blocks the next one. The holder
/// writes who it is to <c>&lt;root&gt;/.store.owner</c>, which names it in the error another writer
/// gets. The lock file is never deleted: deleting it would let two writers lock two different files.
/// </summary>
internal sealed class RootLock : IDisposable
{
    /// <summary>The lock file's name under the root.</summary>
    public const string LockFile = ".store.lock";

    /// <summary>The holder's description beside it (JSON: pid, host, since, mode).</summary>
    public const string OwnerFile = ".store.owner";

    private readonly FileStream _lock;

    private RootLock(FileStream handle) => _lock = handle;

    /// <summary>Takes the root's write lock for a store opened in <paramref name="mode"/>.</summary>
    /// <exception cref="StoreLockedException">Another store (in this or another process) holds it.</exception>
    public static RootLock Acquire(string root, StoreMode mode)
    {
        FileStream handle;
        try
        {
            handle = new FileStream(Path.Combine(root, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            throw new StoreLockedException(
                $"Store root '{root}' is open for writing by {Holder(root)}; a root has one writer at a time (or the nodes of one cluster store). Open it with mode 'r' to read what was flushed, or close that store first.",
                root, e);
        }

        return Owned(root, handle, mode.ToToken());
    }

    // Writes who holds the lock beside it (for another writer's error message), keeping the lock.
    private static RootLock Owned(string root, FileStream handle, string mode)
    {
        try
        {
            var owner = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["pid"] = Environment.ProcessId,
                ["host"] = Dns.GetHostName(),
                ["since"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["mode"] = mode,
            });
            // Only ever read for an error message: no sync, no rename needed.
            File.WriteAllBytes(Path.Combine(root, OwnerFile), owner);
            return new RootLock(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the root's lock shared, for one node of the cluster store <paramref name="clusterId"/>:
    /// the cluster's nodes write the root together (each only the paths it owns), while a
    /// single-machine writer, which takes the lock exclusively, is refused as long as any node holds
    /// it, and refuses the nodes while it does. (<c>flock</c> is not reliable across NFS clients;
    /// there the journal's unique sequence numbers fence a path's events.)
    /// </summary>
    /// <exception cref="StoreLockedException">A single-machine store holds the root.</exception>
    public static RootLock AcquireShared(string root, string clusterId)
    {
        var file = Path.Combine(root, LockFile);
        FileStream handle;
        try
        {
            // Created without a lock (.NET takes none for a shared open with write access), then opened for reading: a shared flock.
            using (new FileStream(file, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0))
            {
            }

            handle = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            throw new StoreLockedException(
                $"Store root '{root}' is open for writing by {Holder(root)}; the nodes of cluster store '{clusterId}' cannot share it with a single-machine writer. Close that store first.",
                root, e);
        }

        return Owned(root, handle, $"cluster:{clusterId}");
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();

    // "process 1234 on host x since ... (mode 'a')", or what can be said without the owner file.
    private static string Holder(string root)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, OwnerFile)));
            var owner = document.RootElement;
            var pid = owner.GetProperty("pid").GetInt32();
            var text = new StringBuilder(pid == Environment.ProcessId ? "another store in this process" : $"process {pid}");
            text.Append(CultureInfo.InvariantCulture, $" on host {owner.GetProperty("host").GetString()}");
            text.Append(CultureInfo.InvariantCulture, $" since {owner.GetProperty("since").GetString()}");
            text.Append(CultureInfo.InvariantCulture, $" (mode '{owner.GetProperty("mode").GetString()}')");
            return text.ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"another process (its {OwnerFile} could not be read)";
        }
    }
}
