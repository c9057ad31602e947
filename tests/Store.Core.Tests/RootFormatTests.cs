using System.Text.Json;
using Store.Core.Arrays;
using Store.Core.Formats.Zarr;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// A root records what it is (<c>.store.json</c>): a store opened without a format uses it, or
/// recognises a root another tool wrote by its files; a format the root contradicts is refused,
/// never an empty store; memory only is asked for, not fallen into; Zarr versions do not mix.
/// </summary>
public class RootFormatTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat> ArrayFormats => [DiskFormat.Npy, DiskFormat.Npz, DiskFormat.Zarr];

    public static TheoryData<DiskFormat> TableFormats => [DiskFormat.Parquet, DiskFormat.Ipc, DiskFormat.Csv, DiskFormat.Json];

    private JsonElement Manifest() => JsonDocument.Parse(File.ReadAllBytes(_temp.Sub(".store.json"))).RootElement;

    private void WriteArrays(DiskFormat format, string mode = "w")
    {
        using var store = new ArrayStore(_temp.Path, mode, format);
        store.Append("runs/x", TestArrays.Sequence(DType.Float32, 4, 3));
    }

    private void WriteTables(DiskFormat format)
    {
        using var store = new TableStore(_temp.Path, "w", format);
        store.Append("energies", TestTables.AllTypes(0, 3));
    }

    [Theory]
    [MemberData(nameof(ArrayFormats))]
    public void Open_NewArrayRoot_RecordsKindAndFormat(DiskFormat format)
    {
        WriteArrays(format);
        var manifest = Manifest();
        Assert.Equal("array", manifest.GetProperty("kind").GetString());
        Assert.Equal(format.ToString().ToLowerInvariant(), manifest.GetProperty("format").GetString());
        Assert.Equal(format == DiskFormat.Zarr, manifest.TryGetProperty("zarr", out _));
    }

    [Fact]
    public void Open_NewZarrRoot_RecordsTheLayoutOfNewArrays()
    {
        using (new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, new ZarrOptions { Version = 2, Compressor = ZarrCompressor.Zstd, CompressionLevel = 5, ChunkShape = [8, 3] }))
        {
        }

        var zarr = Manifest().GetProperty("zarr");
        Assert.Equal(2, zarr.GetProperty("version").GetInt32());
        Assert.Equal("zstd", zarr.GetProperty("compressor").GetString());
        Assert.Equal(5, zarr.GetProperty("compressionLevel").GetInt32());
        Assert.Equal([8, 3], zarr.GetProperty("chunkShape").EnumerateArray().Select(c => c.GetInt32()));
    }

    [Theory]
    [MemberData(nameof(ArrayFormats))]
    public void Open_ArrayRootWithoutAFormat_UsesTheRecordedOne(DiskFormat format)
    {
        WriteArrays(format);
        using var store = new ArrayStore(_temp.Path, "r");
        Assert.Equal(format, store.DiskFormat);
        Assert.Equal(["runs/x"], store.Available());
        Assert.Equal(TestArrays.Sequence(DType.Float32, 4, 3).ToArray<float>(), store.Read("runs/x")!.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(TableFormats))]
    public void Open_TableRootWithoutAFormat_UsesTheRecordedOne(DiskFormat format)
    {
        WriteTables(format);
        using var store = new TableStore(_temp.Path, "r+");
        Assert.Equal(format, store.DiskFormat);
        Assert.Equal(3, store.Read("energies")!.RowCount);
    }

    [Theory]
    [MemberData(nameof(ArrayFormats))]
    public void Open_ArrayRootAnotherToolWrote_RecognisesItsFormatFromItsFiles(DiskFormat format)
    {
        WriteArrays(format);
        File.Delete(_temp.Sub(".store.json"));
        using (var store = new ArrayStore(_temp.Path, "r"))
        {
            Assert.Equal(format, store.DiskFormat);
            Assert.Equal(["runs/x"], store.Available());
        }

        Assert.False(File.Exists(_temp.Sub(".store.json")), "a read-only open writes nothing");
        using (new ArrayStore(_temp.Path, "a"))
        {
        }

        Assert.Equal(format.ToString().ToLowerInvariant(), Manifest().GetProperty("format").GetString());
    }

    [Theory]
    [MemberData(nameof(TableFormats))]
    public void Open_TableRootAnotherToolWrote_RecognisesItsFormatFromItsFiles(DiskFormat format)
    {
        WriteTables(format);
        File.Delete(_temp.Sub(".store.json"));
        using var store = new TableStore(_temp.Path, "r");
        Assert.Equal(format, store.DiskFormat);
        Assert.Equal(["energies"], store.Available());
    }

    [Theory]
    [InlineData(DiskFormat.Zarr, DiskFormat.Npy)]
    [InlineData(DiskFormat.Npy, DiskFormat.Zarr)]
    [InlineData(DiskFormat.Npz, DiskFormat.Npy)]
    [InlineData(DiskFormat.Zarr, DiskFormat.Npz)]
    public void Open_ArrayRootWithAContradictingFormat_ThrowsNamingBoth(DiskFormat written, DiskFormat asked)
    {
        WriteArrays(written);
        foreach (var recorded in new[] { true, false })
        {
            if (!recorded)
            {
                File.Delete(_temp.Sub(".store.json"));
            }

            foreach (var mode in new[] { "r", "r+", "a" })
            {
                var error = Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Path, mode, asked));
                Assert.Contains(written.ToString(), error.Message);
                Assert.Contains($"DiskFormat {asked} was asked", error.Message);
                Assert.Contains(_temp.Path, error.Message);
            }
        }

        // Refused, not emptied: the data is still there, and the root still opens as what it is.
        using var store = new ArrayStore(_temp.Path, "r");
        Assert.Equal(["runs/x"], store.Available());
    }

    [Theory]
    [InlineData(DiskFormat.Parquet, DiskFormat.Csv)]
    [InlineData(DiskFormat.Csv, DiskFormat.Json)]
    [InlineData(DiskFormat.Json, DiskFormat.Ipc)]
    [InlineData(DiskFormat.Ipc, DiskFormat.Parquet)]
    public void Open_TableRootWithAContradictingFormat_ThrowsNamingBoth(DiskFormat written, DiskFormat asked)
    {
        WriteTables(written);
        var error = Assert.Throws<StoreModeException>(() => new TableStore(_temp.Path, "r", asked));
        Assert.Contains(written.ToString(), error.Message);
        Assert.Contains($"DiskFormat {asked} was asked", error.Message);
        File.Delete(_temp.Sub(".store.json"));
        error = Assert.Throws<StoreModeException>(() => new TableStore(_temp.Path, "a", asked));
        Assert.Contains(written.ToString(), error.Message);
    }

    [Fact]
    public void Open_TableRootAsArrays_ThrowsNamingWhatItHolds()
    {
        WriteTables(DiskFormat.Parquet);
        var error = Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Path, "r"));
        Assert.Contains("holds tables", error.Message);
        File.Delete(_temp.Sub(".store.json"));
        error = Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Path, "a", DiskFormat.Zarr));
        Assert.Contains("holds tables: Parquet (*.parquet)", error.Message);
    }

    [Fact]
    public void Open_RootWithSeveralFormatsAndNoManifest_ThrowsNamingWhatWasFound()
    {
        WriteArrays(DiskFormat.Npy);
        File.Delete(_temp.Sub(".store.json"));
        using (var zarr = new ArrayStore(_temp.Sub("z"), "w", DiskFormat.Zarr))
        {
            zarr.Append("y", NdArray.From(new[] { 1, 2 }));
        }

        Directory.Move(_temp.Sub("z/y"), _temp.Sub("y"));
        var error = Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Path, "r"));
        Assert.Contains("several formats", error.Message);
        Assert.Contains("Npy (*.npy)", error.Message);
        Assert.Contains("Zarr (zarr.json)", error.Message);

        // Asked for explicitly, one of them opens.
        using var npy = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        Assert.Equal(["runs/x"], npy.Available());
    }

    [Fact]
    public void Open_EmptyRootReadOnlyWithoutAFormat_ThrowsHoldsNoStore()
    {
        Directory.CreateDirectory(_temp.Path);
        var error = Assert.Throws<StoreModeException>(() => new TableStore(_temp.Path, "r"));
        Assert.Contains("holds no store", error.Message);
        using var store = new TableStore(_temp.Path, "r", DiskFormat.Csv);
        Assert.Empty(store.Available());
    }

    [Fact]
    public void Open_NewRootWithoutAFormat_IsZarrForArraysAndParquetForTables()
    {
        using (var arrays = new ArrayStore(_temp.Sub("a"), "a"))
        {
            arrays.Append("x", NdArray.From(new[] { 1.0 }));
            Assert.Equal(DiskFormat.Zarr, arrays.DiskFormat);
        }

        using (var tables = new TableStore(_temp.Sub("t"), "w-"))
        {
            tables.Append("t", TestTables.AllTypes(0, 1));
            Assert.Equal(DiskFormat.Parquet, tables.DiskFormat);
        }

        Assert.True(File.Exists(_temp.Sub("a/x/zarr.json")));
        Assert.True(File.Exists(_temp.Sub("t/t.parquet/part-000000.parquet")));
    }

    [Fact]
    public void ModeW_WithAnotherFormat_RemovesWhatTheRootHeldBefore()
    {
        WriteArrays(DiskFormat.Npy);
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr))
        {
            Assert.Empty(store.Available());
            store.Append("z", NdArray.From(new[] { 1 }));
        }

        Assert.False(File.Exists(_temp.Sub("runs/x.npy")));
        Assert.Equal("zarr", Manifest().GetProperty("format").GetString());
        using var reopened = new ArrayStore(_temp.Path, "r");
        Assert.Equal(["z"], reopened.Available());
    }

    [Fact]
    public void Open_MemoryOnlyWithARoot_IsRefused()
    {
        var error = Assert.Throws<StoreModeException>(() => new ArrayStore(_temp.Path, "a", DiskFormat.None));
        Assert.Contains("takes no root", error.Message);
        Assert.False(Directory.Exists(_temp.Path));
        Assert.Throws<StoreModeException>(() => new TableStore(_temp.Path, "a", DiskFormat.None));
    }

    [Fact]
    public void Open_NoRootAndNoFormat_IsRefusedRatherThanMemoryOnly()
    {
        var error = Assert.Throws<StoreModeException>(() => new ArrayStore("", "a"));
        Assert.Contains("DiskFormat.None", error.Message);
        using var memory = new ArrayStore("", "a", DiskFormat.None);
        memory.Append("x", NdArray.From(new[] { 1 }));
        Assert.Equal(["x"], memory.Available());
    }

    [Fact]
    public void Open_CorruptManifest_ThrowsNamingIt()
    {
        WriteArrays(DiskFormat.Npy);
        File.WriteAllText(_temp.Sub(".store.json"), "{\"kind\": \"array\", \"format\": \"parquet\"}");
        var error = Assert.Throws<CorruptDataException>(() => new ArrayStore(_temp.Path, "r"));
        Assert.Contains(".store.json", error.Message);
    }

    [Fact]
    public void Append_NewArrayInAZarrV2Root_IsV2UnlessAVersionIsAsked()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, new ZarrOptions { Version = 2 }))
        {
            store.Append("old", NdArray.From(new[] { 1, 2 }));
        }

        // Reopened without options, and with options that name no version: new arrays stay v2, no root zarr.json appears.
        using (var store = new ArrayStore(_temp.Path, "a"))
        {
            store.Append("new1", NdArray.From(new[] { 3 }));
        }

        using (var store = new ArrayStore(_temp.Path, "a", DiskFormat.Zarr, new ZarrOptions { Compressor = ZarrCompressor.Zstd }))
        {
            store.Append("new2", NdArray.From(new[] { 4 }));
        }

        Assert.True(File.Exists(_temp.Sub("new1/.zarray")));
        Assert.True(File.Exists(_temp.Sub("new2/.zarray")));
        Assert.False(File.Exists(_temp.Sub("zarr.json")));
        Assert.Contains("zstd", File.ReadAllText(_temp.Sub("new2/.zarray")));

        // Asked for explicitly, v3 it is.
        using (var store = new ArrayStore(_temp.Path, "a", DiskFormat.Zarr, new ZarrOptions { Version = 3 }))
        {
            store.Append("v3", NdArray.From(new[] { 5 }));
        }

        Assert.True(File.Exists(_temp.Sub("v3/zarr.json")));
    }

    [Fact]
    public void Append_NewArrayInAZarrV2RootWithoutManifest_FollowsItsArrays()
    {
        using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr, new ZarrOptions { Version = 2 }))
        {
            store.Append("a/old", NdArray.From(new[] { 1, 2 }));
        }

        File.Delete(_temp.Sub(".store.json"));
        File.Delete(_temp.Sub(".zgroup"));
        using (var store = new ArrayStore(_temp.Path, "a"))
        {
            store.Append("new", NdArray.From(new[] { 3 }));
        }

        Assert.True(File.Exists(_temp.Sub("new/.zarray")));
        Assert.False(File.Exists(_temp.Sub("zarr.json")));
    }
}
