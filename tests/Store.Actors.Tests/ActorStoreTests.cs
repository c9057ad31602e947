using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>The array and table actor stores do what the in-process stores do, through actors.</summary>
public class ActorStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(DiskFormat.None)]
    [InlineData(DiskFormat.Npy)]
    [InlineData(DiskFormat.Npz)]
    [InlineData(DiskFormat.Zarr)]
    public async Task AppendFlushReopen_ReadsBackEveryRow(DiskFormat format)
    {
        var options = new ActorStoreOptions { Root = format == DiskFormat.None ? "" : _temp.Path, DiskFormat = format };
        var whole = TestArrays.Sequence(DType.Float32, 10, 4, 3);
        await using (var store = ArrayActorStore.Open(options))
        {
            Assert.Equal(new IndexRange(0, 3), await store.AppendAsync("ens0/coords", TestArrays.Rows(whole, 0, 3)));
            Assert.Equal(new IndexRange(3, 7), await store.AppendAsync("ens0/coords", TestArrays.Rows(whole, 3, 10)));
            var shape = await store.ShapeAsync("ens0/coords");
            Assert.Equal(new long[] { 10, 4, 3 }, shape);
            var read = await store.ReadAsync("ens0/coords");
            Assert.Equal(whole.ToArray<float>(), read!.ToArray<float>());
            var reference = await store.GetAsync("ens0/coords");
            Assert.Equal(TestArrays.Rows(whole, 9, 10).ToArray<float>(), reference!.Read(ArrayView.Parse("9:10")).ToArray<float>());
            Assert.Equal(["ens0/coords"], await store.AvailableAsync());
            var report = await store.FlushAsync();
            Assert.True(report.Succeeded);
            Assert.Equal(["ens0/coords"], report.Outcomes.Select(o => o.Path));
        }

        if (format == DiskFormat.None)
        {
            return;
        }

        await using var reopened = ArrayActorStore.Open(options with { Mode = "r" });
        Assert.Equal(["ens0/coords"], await reopened.AvailableAsync());
        var reread = await reopened.ReadAsync("ens0/coords");
        Assert.Equal(whole.ToArray<float>(), reread!.ToArray<float>());
    }

    [Theory]
    [InlineData(DiskFormat.Parquet)]
    [InlineData(DiskFormat.Csv)]
    public async Task Tables_AppendQueryFlushReopen(DiskFormat format)
    {
        var options = new ActorStoreOptions { Root = format == DiskFormat.None ? "" : _temp.Path, DiskFormat = format };
        await using (var store = TableActorStore.Open(options))
        {
            Assert.Equal(new IndexRange(0, 5), await store.AppendAsync("energies", TestTables.AllTypes(0, 5)));
            Assert.Equal(new IndexRange(5, 5), await store.AppendAsync("energies", TestTables.AllTypes(5, 5)));
            Assert.Equal(10L, await store.ShapeAsync("energies"));
            Assert.Equal(10, (await store.ReadAsync("energies"))!.RowCount);
            Assert.Null(await store.ReadAsync("missing"));
        }

        await using var reopened = TableActorStore.Open(options with { Mode = "r" });
        var expected = TestTables.AllTypes(0, 10);
        var actual = (await reopened.ReadAsync("energies"))!;
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnNames, actual.ColumnNames);
    }

    [Theory]
    [InlineData(DiskFormat.None)]
    [InlineData(DiskFormat.Zarr)]
    public async Task DTypeAsync_Entry_IsItsDTypeAndNullWithoutOne(DiskFormat format)
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = format == DiskFormat.None ? "" : _temp.Path, DiskFormat = format });
        await store.AppendAsync("a", TestArrays.Sequence(DType.UInt16, 2, 3));
        await store.FlushAsync();

        Assert.Equal(DType.UInt16, await store.DTypeAsync("a"));
        Assert.Null(await store.DTypeAsync("missing"));
        await Assert.ThrowsAsync<InvalidPathException>(() => store.DTypeAsync("../a"));
    }

    [Fact]
    public async Task ReadColumnAsync_Column_IsItsValuesAcrossFlushedAndBufferedRows()
    {
        await using var store = TableActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Parquet });
        await store.AppendAsync("t", Table.FromColumns(("micro_id", TableColumn.Of<long>([0L, 1])), ("potential", TableColumn.Of<double>([-1.0, -2.0]))));
        await store.FlushAsync();
        await store.AppendAsync("t", Table.FromColumns(("potential", TableColumn.Of<double>([-3.0])), ("micro_id", TableColumn.Of<long>([2L]))));

        var column = Assert.IsType<Apache.Arrow.DoubleArray>(await store.ReadColumnAsync("t", "potential"));

        Assert.Equal([-1.0, -2.0, -3.0], column.Values.ToArray());
        Assert.Null(await store.ReadColumnAsync("missing", "potential"));
        var error = await Assert.ThrowsAsync<SchemaException>(() => store.ReadColumnAsync("t", "potentail"));
        Assert.Contains("did you mean 'potential'?", error.Message);
    }

    [Fact]
    public async Task Open_DefaultOptionsWithARoot_FlushesZarrThere()
    {
        await using (var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path }))
        {
            Assert.Equal(DiskFormat.Zarr, store.DiskFormat);
            await store.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }));
        }

        Assert.True(File.Exists(_temp.Sub("x/zarr.json")));
        using var files = new ArrayStore(_temp.Path, "r");
        Assert.Equal(new[] { 1.0, 2.0 }, files.Read("x")!.ToArray<double>());
    }

    [Fact]
    public void Open_MemoryOnlyWithARoot_IsRefusedNamingTheOptions()
    {
        var error = Assert.Throws<StoreException>(() => ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.None }));
        Assert.Contains("DiskFormat is None", error.Message);
        error = Assert.Throws<StoreException>(() => TableActorStore.Open(new ActorStoreOptions()));
        Assert.Contains("ActorStoreOptions.Root", error.Message);
    }
}
