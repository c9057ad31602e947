namespace Store.Core.Tests;

/// <summary>Symbolic links never take the store's reads or writes out of its root: discovery and mode <c>w</c> do not follow them.</summary>
public class SymlinkTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _root;
    private readonly string _outside;

    public SymlinkTests()
    {
        _root = _temp.Sub("root");
        _outside = _temp.Sub("outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(AnyStore.FileFormats), MemberType = typeof(AnyStore))]
    public void Open_EntriesBehindLinks_AreNotDiscovered(string format)
    {
        using (var victim = AnyStore.Open(format, _outside))
        {
            victim.Append("x");
            victim.Append("y/z");
        }

        using (var own = AnyStore.Open(format, _root))
        {
            own.Append("own");
        }

        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);
        Directory.CreateSymbolicLink(Path.Combine(_root, "loop"), _root);
        var ext = AnyStore.DataFileOf(format, _root, "ext");
        Directory.CreateDirectory(Path.GetDirectoryName(ext)!);
        File.CreateSymbolicLink(ext, AnyStore.DataFileOf(format, _outside, "x"));

        using var store = AnyStore.Open(format, _root, "r");
        Assert.Equal(["own"], store.Available());
    }

    [Theory]
    [MemberData(nameof(AnyStore.Formats), MemberType = typeof(AnyStore))]
    public void Open_ModeW_DeletesNothingBehindLinks(string format)
    {
        using (var victim = AnyStore.Open(format, _outside))
        {
            victim.Append("x");
        }

        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);
        var before = Snapshot(_outside);

        using (var store = AnyStore.Open(format, _root, "w"))
        {
            Assert.Empty(store.Available());
        }

        Assert.Equal(before, Snapshot(_outside));
    }

    /// <summary>Every file under <paramref name="folder"/> with its bytes (hex), by relative path.</summary>
    private static SortedDictionary<string, string> Snapshot(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(File.ReadAllBytes(f))), StringComparer.Ordinal);
}
