namespace Store.Core.Tests;

/// <summary>A unique temporary folder for one test, deleted with it.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "store-tests", Guid.NewGuid().ToString("N"));
    }

    /// <summary>The folder's path; it does not exist until something creates it.</summary>
    public string Path { get; }

    /// <summary>Whether <paramref name="file"/> is one of the store's own files at a root (lock, owner, manifest, journal), not data.</summary>
    public static bool IsStoreFile(string file) => System.IO.Path.GetFileName(file).StartsWith(".store", StringComparison.Ordinal);

    /// <summary>A path inside the folder.</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
