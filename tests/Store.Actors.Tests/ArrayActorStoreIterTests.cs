using Store.Core;
using Store.Core.Arrays;
using Store.Core.Formats.Zarr;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// <see cref="ArrayActorStore.IterAsync"/> streams an array in blocks along axis 0 as
/// <c>ArrayStore.Iter</c> does, one command per block, so the path keeps serving other commands
/// between blocks; rows appended meanwhile are not included.
/// </summary>
public class ArrayActorStoreIterTests : IDisposable
{
    private const int Rows = 10;
    private const int Width = 3;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // Row r, column c holds r * 100 + c, so every block can be checked against row and column numbers.
    private static NdArray Frames(long from, long to) =>
        NdArray.From([.. Enumerable.Range((int)from, (int)(to - from)).SelectMany(r => Enumerable.Range(0, Width).Select(c => r * 100.0 + c))], to - from, Width);

    private static NdArray Expected(long[] rows, int[] columns) =>
        NdArray.From([.. rows.SelectMany(r => columns.Select(c => r * 100.0 + c))], rows.Length, columns.Length);

    public static TheoryData<DiskFormat, long[]?, string?, int?, long[][], int[]> Selections()
    {
        var data = new TheoryData<DiskFormat, long[]?, string?, int?, long[][], int[]>();
        foreach (var format in new[] { DiskFormat.None, DiskFormat.Npy, DiskFormat.Npz, DiskFormat.Zarr })
        {
            data.Add(format, null, null, 4, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], [0, 1, 2]);
            data.Add(format, null, null, null, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], [0, 1, 2]);
            data.Add(format, [0, 5, 2, 9], null, 3, [[0, 5, 2], [9]], [0, 1, 2]);
            data.Add(format, null, "::-2, 1:", 2, [[9, 7], [5, 3], [1]], [1, 2]);
            data.Add(format, [1, 0], "2:8:3, [2, 0]", 1, [[5], [2]], [2, 0]);
            data.Add(format, null, "-4:", 3, [[6, 7, 8], [9]], [0, 1, 2]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Selections))]
    public async Task IterAsync_Selection_YieldsTheSelectedRowsInBlocks(DiskFormat format, long[]? elements, string? view, int? chunkSize, long[][] blocks, int[] columns)
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = format == DiskFormat.None ? "" : _temp.Path, DiskFormat = format });
        await store.AppendAsync("x", Frames(0, 6));
        await store.FlushAsync();
        await store.AppendAsync("x", Frames(6, Rows)); // part flushed, part buffered

        var actual = new List<NdArray>();
        await foreach (var block in store.IterAsync("x", elements, view is null ? null : ArrayView.Parse(view), chunkSize))
        {
            actual.Add(block);
        }

        Assert.Equal(blocks.Length, actual.Count);
        for (var i = 0; i < blocks.Length; i++)
        {
            Assert.True(Expected(blocks[i], columns).ContentEquals(actual[i]), $"block {i}: {actual[i]}");
        }
    }

    [Fact]
    public async Task IterAsync_FlushedZarrWithoutChunkSize_YieldsOneChunkPerBlock()
    {
        var options = new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Zarr, Zarr = new ZarrOptions { ChunkShape = [4, Width] } };
        await using var store = ArrayActorStore.Open(options);
        await store.AppendAsync("x", Frames(0, Rows));
        await store.FlushAsync();

        var sizes = new List<long>();
        await foreach (var block in store.IterAsync("x"))
        {
            sizes.Add(block.Shape[0]);
        }

        Assert.Equal([4L, 4, 2], sizes);
    }

    [Fact]
    public async Task IterAsync_AppendsAndWritesBetweenBlocks_AreServedAndAppendedRowsAreNotIncluded()
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        await store.AppendAsync("x", Frames(0, Rows));

        var rows = new List<double>();
        var first = true;
        await foreach (var block in store.IterAsync("x", chunkSize: 4))
        {
            rows.AddRange(Enumerable.Range(0, (int)block.Shape[0]).Select(r => block.GetValue<double>(r, 0)));
            if (first)
            {
                // Answered while the iteration is under way: it does not hold the path's actor.
                Assert.Equal(new IndexRange(Rows, 5), await store.AppendAsync("x", Frames(Rows, Rows + 5)));
                await store.WriteAsync("x", NdArray.From([-1.0, -1, -1], 1, Width), ArrayView.Parse("9:10"));
                first = false;
            }
        }

        Assert.Equal([0.0, 100, 200, 300, 400, 500, 600, 700, 800, -1], rows);
        var shape = await store.ShapeAsync("x");
        Assert.Equal(new long[] { Rows + 5, Width }, shape);
    }

    [Fact]
    public async Task IterAsync_EntryReplacedByFewerRows_FailsAtTheFirstBlockPastItsEnd()
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        await store.AppendAsync("x", Frames(0, Rows));

        var blocks = 0;
        var error = await Assert.ThrowsAsync<StoreException>(async () =>
        {
            await foreach (var _ in store.IterAsync("x", chunkSize: 4))
            {
                if (blocks++ == 0)
                {
                    await store.WriteAsync("x", Frames(0, 5));
                }
            }
        });

        Assert.Equal(1, blocks);
        Assert.Contains("'x'", error.Message);
        Assert.Contains("while it was being iterated", error.Message);
    }

    [Fact]
    public async Task IterAsync_NoEntry_YieldsNothing()
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory);

        await foreach (var _ in store.IterAsync("missing"))
        {
            Assert.Fail("a missing entry has no blocks");
        }
    }

    [Theory]
    [InlineData(null, "0", null)]
    [InlineData(null, null, 0)]
    [InlineData(new long[] { 10 }, null, null)]
    public async Task IterAsync_BadArguments_ThrowShapeExceptionAndTheStoreKeepsServing(long[]? elements, string? view, int? chunkSize)
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        await store.AppendAsync("x", Frames(0, Rows));

        await Assert.ThrowsAsync<ShapeException>(async () =>
        {
            await foreach (var _ in store.IterAsync("x", elements, view is null ? null : ArrayView.Parse(view), chunkSize))
            {
            }
        });

        Assert.Equal(new IndexRange(Rows, 1), await store.AppendAsync("x", Frames(Rows, Rows + 1)));
    }
}
