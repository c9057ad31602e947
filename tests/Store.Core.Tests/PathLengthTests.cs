using System.Text;
using Store.Core.Arrays;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// A path whose files the file system cannot hold (a name over 255 bytes, a path over 4095 bytes,
/// counting what the store adds: extension, sidecar, temporary-file affixes) is refused at its first
/// command, so it is never acknowledged and never breaks a later flush of the other entries.
/// </summary>
public class PathLengthTests : IDisposable
{
    // AtomicFile's temporary file is ".{name}.{32 hex digits}.tmp": 38 bytes more than the name.
    private const int TemporaryAffix = 1 + 1 + 32 + 4;

    // Below a part folder: "/" + ".part-" + 20 digits + "." + 32 hex digits + ".tmp" (the extension counted apart).
    private const int PartInside = 1 + 5 + 20 + TemporaryAffix;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The longest last segment each format accepts, from what it adds to the name on disk.</summary>
    public static TheoryData<string, int> SegmentLimits => new()
    {
        { "npy", 255 - ".npy".Length - TemporaryAffix },
        { "npz", 255 - ".npy".Length },                                // a member name, never a temporary file
        { "zarr2", 255 },                                              // a folder
        { "zarr3", 255 },
        { "parquet", 255 - ".parquet".Length - TemporaryAffix },
        { "csv", 255 - ".csv.schema".Length - TemporaryAffix },         // the schema sidecar is replaced atomically
        { "json", 255 - ".jsonl.schema".Length - TemporaryAffix },
        { "ipc", 255 - ".arrow".Length - TemporaryAffix },
    };

    /// <summary>What the longest path the store writes for an entry adds to <c>root/path</c>.</summary>
    public static TheoryData<string, int> PathAdditions => new()
    {
        { "npy", ".npy".Length + TemporaryAffix },
        { "zarr2", 128 },                                              // kept free for chunk keys and temporary names
        { "zarr3", 128 },
        { "parquet", ".parquet".Length + TemporaryAffix + PartInside + ".parquet".Length }, // a folder of parts: "/.part-<20 digits>.parquet.<hex>.tmp" inside
        { "csv", ".csv.schema".Length + TemporaryAffix },
        { "json", ".jsonl.schema".Length + TemporaryAffix },
        { "ipc", ".arrow".Length + TemporaryAffix + PartInside + ".arrow".Length },
    };

    [Theory]
    [MemberData(nameof(AnyStore.Formats), MemberType = typeof(AnyStore))]
    public void Append_SegmentOf300Bytes_IsRefusedAndFlushStillWorks(string format)
    {
        var segment = new string('a', 300);
        using (var store = AnyStore.Open(format, _temp.Path))
        {
            store.Append("ok");
            var error = Assert.Throws<InvalidPathException>(() => store.Append("prj/" + segment));
            Assert.Contains($"'prj/{segment}'", error.Message);
            Assert.Contains("300 bytes", error.Message);
            Assert.Contains("255", error.Message);
            Assert.Throws<InvalidPathException>(() => store.Append(segment + "/x"));
            Assert.Throws<InvalidPathException>(() => store.Write("prj/" + segment));

            store.Flush();
            Assert.Equal(["ok"], store.Available());
        }

        using var reopened = AnyStore.Open(format, _temp.Path, "r");
        Assert.Equal(["ok"], reopened.Available());
    }

    [Theory]
    [MemberData(nameof(AnyStore.Formats), MemberType = typeof(AnyStore))]
    public void Append_MultiByteSegmentUnder255CharactersOver255Bytes_IsRefused(string format)
    {
        var segment = string.Concat(Enumerable.Repeat("é", 150)); // 150 characters, 300 bytes in UTF-8
        Assert.Equal(300, Encoding.UTF8.GetByteCount(segment));
        using var store = AnyStore.Open(format, _temp.Path);
        store.Append("ok");

        var error = Assert.Throws<InvalidPathException>(() => store.Append(segment));
        Assert.Contains("300 bytes", error.Message);
        store.Flush();
        Assert.Equal(["ok"], store.Available());
    }

    [Theory]
    [MemberData(nameof(SegmentLimits))]
    public void Append_SegmentAtTheLimit_FlushesAndReadsBack(string format, int limit)
    {
        // Two-byte characters up front, so the limit is counted in bytes, not characters.
        var segment = "éé" + new string('a', limit - 4);
        Assert.Equal(limit, Encoding.UTF8.GetByteCount(segment));
        using (var store = AnyStore.Open(format, _temp.Path))
        {
            var error = Assert.Throws<InvalidPathException>(() => store.Append("a/" + segment + "b"));
            Assert.Contains($"{limit + 1} bytes", error.Message);
            Assert.Contains($"at most {limit} bytes", error.Message);

            store.Append("a/" + segment);
            store.Flush();
            store.Append("a/" + segment, start: 2); // grows the flushed files: in place or through a temporary file
            store.Flush();
        }

        using var reopened = AnyStore.Open(format, _temp.Path, "r");
        Assert.Equal(["a/" + segment], reopened.Available());
        Assert.Equal([0L, 1, 2, 3], reopened.Values("a/" + segment));
    }

    [Theory]
    [MemberData(nameof(PathAdditions))]
    public void Append_PathAtTheLimit_FlushesAndOneByteMoreIsRefused(string format, int added)
    {
        using var store = AnyStore.Open(format, _temp.Path);
        var budget = 4095 - Encoding.UTF8.GetByteCount(store.Store.Path) - 1 - added;
        var path = PathOfBytes(budget);

        var error = Assert.Throws<InvalidPathException>(() => store.Append(path + "b"));
        Assert.Contains("4095", error.Message);
        Assert.Contains($"{4095 + 1}", error.Message);

        store.Append(path);
        store.Flush();
        store.Append(path, start: 2);
        store.Flush();
        Assert.Equal([0L, 1, 2, 3], store.Values(path));
    }

    [Fact]
    public void Append_LongPathsInMemory_AreAccepted()
    {
        var path = string.Join('/', Enumerable.Repeat(new string('é', 200), 12));
        using var arrays = ArrayStore.InMemory();
        arrays.Append(path, NdArray.From(new long[] { 1, 2 }));
        using var tables = TableStore.InMemory();
        tables.Append(path, Table.FromColumns(("v", TableColumn.Of<long>([1, 2]))));

        Assert.Equal([path], arrays.Available());
        Assert.Equal([path], tables.Available());
    }

    /// <summary>A path of ASCII segments of at most 200 bytes, <paramref name="bytes"/> bytes long in all.</summary>
    private static string PathOfBytes(int bytes)
    {
        var segments = new List<string>();
        var left = bytes;
        while (left > 0)
        {
            var length = Math.Min(200, left);
            if (left - length == 1)
            {
                length--; // Never leave a single byte: the slash before another segment takes one.
            }

            segments.Add(new string((char)('a' + (segments.Count % 26)), length));
            left -= length + 1;
        }

        var path = string.Join('/', segments);
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(path));
        return path;
    }
}
