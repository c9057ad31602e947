namespace Store.Core.Tests;

/// <summary>
/// Symbolic links never take the store's reads or writes out of its root: a path through a link is
/// refused at its first command, a link that appears later is refused at flush (the file behind it
/// unchanged), discovery and mode <c>w</c> do not follow links, and the root itself may be a link.
/// </summary>
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
    public void Append_ThroughDirectoryLinkOutOfRoot_IsRefusedAndNothingIsWrittenOutside(string format)
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);
        using var store = AnyStore.Open(format, _root);
        store.Append("ok");

        var error = Assert.Throws<InvalidPathException>(() => store.Append("link/x"));
        Assert.Contains("'link/x'", error.Message);
        Assert.Contains(Path.Combine(_root, "link"), error.Message);
        Assert.Contains("symbolic link", error.Message);
        Assert.Throws<InvalidPathException>(() => store.Write("link/y"));

        store.Flush();
        Assert.Equal(["ok"], store.Available());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_outside));
    }

    [Theory]
    [MemberData(nameof(AnyStore.Formats), MemberType = typeof(AnyStore))]
    public void Append_ToFileLinkOutOfRoot_IsRefusedAndTheOutsideFileIsUnchanged(string format)
    {
        using (var victim = AnyStore.Open(format, _outside))
        {
            victim.Append("ext");
        }

        var link = AnyStore.DataFileOf(format, _root, "ext");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, AnyStore.DataFileOf(format, _outside, "ext"));
        var before = Snapshot(_outside);

        using (var store = AnyStore.Open(format, _root))
        {
            Assert.DoesNotContain("ext", store.Available());
            var error = Assert.Throws<InvalidPathException>(() => store.Append("ext", start: 2));
            Assert.Contains(link, error.Message);
            Assert.Throws<InvalidPathException>(() => store.Write("ext"));
            store.Flush();
        }

        Assert.Equal(before, Snapshot(_outside));
    }

    [Theory]
    [MemberData(nameof(AnyStore.FileFormats), MemberType = typeof(AnyStore))]
    public void Flush_DirectoryLinkedOutAfterFirstUse_IsRefusedAndTheOutsideFilesAreUnchanged(string format)
    {
        using (var store = AnyStore.Open(format, _root))
        {
            store.Append("d/x");
            store.Append("ok");
            store.Flush();

            var folder = Path.Combine(_root, "d");
            Directory.Move(folder, Path.Combine(_outside, "d"));
            Directory.CreateSymbolicLink(folder, Path.Combine(_outside, "d"));
            store.Append("d/x", start: 2); // A known path: accepted without looking at the disk.
            store.Append("ok", start: 2);
            var before = Snapshot(_outside);

            AssertRefusedAtFlush(store.Flush);
            Assert.Equal(before, Snapshot(_outside));
            Assert.Throws<InvalidPathException>(() => store.Values("d/x")); // Nor are the flushed rows read through it.

            // The link gone and the folder back, the next flush writes what was kept.
            Directory.Delete(folder);
            Directory.Move(Path.Combine(_outside, "d"), folder);
        }

        using var reopened = AnyStore.Open(format, _root, "r");
        Assert.Equal([0L, 1, 2, 3], reopened.Values("d/x"));
        Assert.Equal([0L, 1, 2, 3], reopened.Values("ok"));
    }

    [Theory]
    [MemberData(nameof(AnyStore.Formats), MemberType = typeof(AnyStore))]
    public void Flush_FileLinkedOutAfterFirstUse_IsRefusedAndTheOutsideFileIsUnchanged(string format)
    {
        using (var store = AnyStore.Open(format, _root))
        {
            store.Append("x");
            store.Flush();

            var file = store.DataFile("x");
            var victim = Path.Combine(_outside, "victim");
            File.Move(file, victim);
            File.CreateSymbolicLink(file, victim);
            store.Append("x", start: 2);
            var before = Snapshot(_outside);

            AssertRefusedAtFlush(store.Flush);
            Assert.Equal(before, Snapshot(_outside));

            File.Delete(file);
            File.Move(victim, file);
        }

        using var reopened = AnyStore.Open(format, _root, "r");
        Assert.Equal([0L, 1, 2, 3], reopened.Values("x"));
    }

    [Theory]
    [InlineData("zarr2")]
    [InlineData("zarr3")]
    public void Flush_ZarrChunkLinkedOutAfterFirstUse_IsRefusedAndTheOutsideFilesAreUnchanged(string format)
    {
        using var store = AnyStore.Open(format, _root);
        store.Append("x");
        store.Flush();

        // v2 keeps chunk "0" in the array's folder, v3 keeps "c/0": link the file, or the folder of keys.
        var chunk = Path.Combine(_root, "x", format == "zarr2" ? "0" : "c");
        var target = Path.Combine(_outside, "chunk");
        if (format == "zarr2")
        {
            File.Move(chunk, target);
            File.CreateSymbolicLink(chunk, target);
        }
        else
        {
            Directory.Move(chunk, target);
            Directory.CreateSymbolicLink(chunk, target);
        }

        store.Append("x", start: 2);
        var before = Snapshot(_outside);
        AssertRefusedAtFlush(store.Flush);
        Assert.Equal(before, Snapshot(_outside));

        // The chunk back in place, the entry still holds every row and flushes.
        if (format == "zarr2")
        {
            File.Delete(chunk);
            File.Move(target, chunk);
        }
        else
        {
            Directory.Delete(chunk);
            Directory.Move(target, chunk);
        }

        store.Flush();
        Assert.Equal([0L, 1, 2, 3], store.Values("x"));
    }

    [Theory]
    [MemberData(nameof(AnyStore.FileFormats), MemberType = typeof(AnyStore))]
    public void Append_ThroughLinkInsideRoot_IsRefused(string format)
    {
        using (var store = AnyStore.Open(format, _root))
        {
            store.Append("real/x");
            store.Flush();

            // Links that stay inside the root are refused too: two paths would share one file.
            Directory.CreateSymbolicLink(Path.Combine(_root, "alias"), Path.Combine(_root, "real"));
            var copy = store.DataFile("copy");
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.CreateSymbolicLink(copy, store.DataFile("real/x"));

            Assert.Throws<InvalidPathException>(() => store.Append("alias/x", start: 2));
            Assert.Throws<InvalidPathException>(() => store.Append("copy", start: 2));
            store.Append("real/x", start: 2);
            store.Flush();
        }

        using var reopened = AnyStore.Open(format, _root, "r");
        Assert.Equal(["real/x"], reopened.Available());
        Assert.Equal([0L, 1, 2, 3], reopened.Values("real/x"));
    }

    [Theory]
    [MemberData(nameof(AnyStore.Formats), MemberType = typeof(AnyStore))]
    public void Open_RootThatIsALinkOrUnderOne_WorksLikeAnyRoot(string format)
    {
        // One shared folder reached through a different link per user (as cluster nodes will mount it).
        var shared = _temp.Sub("shared");
        Directory.CreateDirectory(shared);
        var first = _temp.Sub("first-link");
        Directory.CreateSymbolicLink(first, shared);
        var parent = _temp.Sub("parent-link");
        Directory.CreateSymbolicLink(parent, _temp.Path);

        using (var store = AnyStore.Open(format, first))
        {
            store.Append("a/x");
            store.Flush();
            store.Append("a/x", start: 2);
        }

        Assert.True(File.Exists(AnyStore.DataFileOf(format, shared, "a/x")));
        using (var store = AnyStore.Open(format, Path.Combine(parent, "shared"), "r+"))
        {
            Assert.Equal(["a/x"], store.Available());
            store.Append("a/x", start: 4);
        }

        using var reopened = AnyStore.Open(format, first, "r");
        Assert.Equal([0L, 1, 2, 3, 4, 5], reopened.Values("a/x"));
    }

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

    /// <summary>A flush refused for a link: an <see cref="InvalidPathException"/>, alone or as the cause of a per-entry failure.</summary>
    private static void AssertRefusedAtFlush(Action flush)
    {
        var error = Assert.ThrowsAny<StoreException>(flush);
        var refusal = error as InvalidPathException ?? Assert.IsType<InvalidPathException>(error.InnerException);
        Assert.Contains("symbolic link", refusal.Message);
    }
}
