using Store.Core.Arrays;

namespace Store.Core.Tests;

public class ArrayStoreRoundTripTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat, DType, long[]> Cases()
    {
        var data = new TheoryData<DiskFormat, DType, long[]>();
        foreach (var format in new[] { DiskFormat.None, DiskFormat.Npy, DiskFormat.Npz, DiskFormat.Zarr })
        {
            foreach (var dtype in DTypes.All)
            {
                data.Add(format, dtype, [7]);
                data.Add(format, dtype, [5, 4, 3]);
                data.Add(format, dtype, [0, 3]);
            }
        }

        return data;
    }

    // A memory-only store takes no root.
    private string Root(DiskFormat format) => format == DiskFormat.None ? "" : _temp.Path;

    [Theory]
    [MemberData(nameof(Cases))]
    public void WriteFlushReopen_EveryDTypeAndShape_ReadsBackEqual(DiskFormat format, DType dtype, long[] shape)
    {
        var expected = TestArrays.Sequence(dtype, shape);
        using var store = new ArrayStore(Root(format), "w", format);
        store.Write("group/x", expected);
        store.Flush();
        AssertEqual(expected, store.Read("group/x")!);
        if (format == DiskFormat.None)
        {
            return;
        }

        using var reopened = new ArrayStore(_temp.Path, "r", format);
        AssertEqual(expected, reopened.Read("group/x")!);
        Assert.Equal(shape, reopened.Shape("group/x"));
        Assert.Equal(dtype, reopened.DTypeOf("group/x"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AppendAcrossFlushes_EveryDTypeAndShape_ConcatenatesAlongAxis0(DiskFormat format, DType dtype, long[] shape)
    {
        var rows = shape[0];
        var whole = TestArrays.Sequence(dtype, [rows * 3, .. shape[1..]]);
        using (var store = new ArrayStore(Root(format), "w", format))
        {
            for (var part = 0; part < 3; part++)
            {
                var range = store.Append("x", TestArrays.Rows(whole, part * rows, (part + 1) * rows));
                Assert.Equal(new IndexRange(part * rows, rows), range);
                store.Flush();
            }

            AssertEqual(whole, store.Read("x")!);
        }

        if (format != DiskFormat.None)
        {
            using var reopened = new ArrayStore(_temp.Path, "r", format);
            AssertEqual(whole, reopened.Read("x")!);
        }
    }

    [Theory]
    [InlineData(DiskFormat.Npy)]
    [InlineData(DiskFormat.Zarr)]
    public void Write_ScalarArray_RoundTripsAsZeroD(DiskFormat format)
    {
        using (var store = new ArrayStore(Root(format), "w", format))
        {
            store.Write("s", NdArray.Scalar(2.5));
        }

        using var reopened = new ArrayStore(_temp.Path, "r", format);
        var scalar = reopened.Read("s")!;
        Assert.Empty(scalar.Shape);
        Assert.Equal(2.5, scalar.GetValue<double>());
    }

    [Theory]
    [InlineData(DiskFormat.Npy)]
    [InlineData(DiskFormat.Npz)]
    [InlineData(DiskFormat.Zarr)]
    public void AppendAfterReopen_ContinuesTheFlushedArray(DiskFormat format)
    {
        using (var store = new ArrayStore(Root(format), "w", format))
        {
            store.Append("x", NdArray.From(TestArrays.Floats(6), 2, 3));
        }

        using (var store = new ArrayStore(_temp.Path, "a", format))
        {
            Assert.Equal(new IndexRange(2, 1), store.Append("x", NdArray.From(new float[] { 6, 7, 8 }, 1, 3)));
        }

        using var reopened = new ArrayStore(_temp.Path, "r", format);
        Assert.Equal(TestArrays.Floats(9), reopened.Read("x")!.ToArray<float>());
    }

    [Theory]
    [InlineData(DiskFormat.None)]
    [InlineData(DiskFormat.Npy)]
    [InlineData(DiskFormat.Npz)]
    [InlineData(DiskFormat.Zarr)]
    public void WriteWithView_IntoFlushedAndBufferedRows_UpdatesOnlyThatRegion(DiskFormat format)
    {
        using (var store = new ArrayStore(Root(format), "w", format))
        {
            store.Append("x", NdArray.From(TestArrays.Floats(12), 4, 3));
            store.Flush();
            store.Append("x", NdArray.From(TestArrays.Floats(6, 10), 2, 3));
            store.Write("x", NdArray.From(new float[] { -1, -2 }, 2), ArrayView.Parse("1:6:4, 2"));
            var expected = TestArrays.Floats(12).Concat(TestArrays.Floats(6, 10)).ToArray();
            expected[1 * 3 + 2] = -1;
            expected[5 * 3 + 2] = -2;
            Assert.Equal(expected, store.Read("x")!.ToArray<float>());
            store.Flush();
            if (format == DiskFormat.None)
            {
                return;
            }

            using var reopened = new ArrayStore(_temp.Path, "r", format);
            Assert.Equal(expected, reopened.Read("x")!.ToArray<float>());
        }
    }

    [Fact]
    public void WriteWithoutView_ExistingEntry_ReplacesShapeAndDType()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy);
        store.Append("x", NdArray.From(TestArrays.Floats(6), 2, 3));
        store.Flush();
        store.Write("x", NdArray.From(new long[] { 5, 6 }));
        store.Flush();
        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        Assert.Equal(new long[] { 5, 6 }, reopened.Read("x")!.ToArray<long>());
    }

    [Fact]
    public void Get_FlushedNpy_ReadsSelectionAndSeesLaterAppends()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy);
        store.Append("x", NdArray.From(TestArrays.Floats(30), 10, 3));
        store.Flush();
        var reference = store.Get("x")!;
        Assert.Equal(new long[] { 10, 3 }, reference.Shape);
        Assert.Equal(new float[] { 27, 28, 29 }, reference["-1"].ToArray<float>());
        store.Append("x", NdArray.From(new float[] { 30, 31, 32 }, 1, 3));
        Assert.Equal(new long[] { 11, 3 }, reference.Shape);
        Assert.Equal(new float[] { 30, 31, 32 }, reference["-1"].ToArray<float>());
        Assert.Null(store.Get("missing"));
        Assert.Null(store.Read("missing"));
        Assert.Null(store.Shape("missing"));
    }

    [Fact]
    public void Iter_ElementsAndView_YieldsChunksOfSelectedRows()
    {
        using var store = ArrayStore.InMemory();
        store.Write("x", NdArray.From(Enumerable.Range(0, 40).ToArray(), 10, 4));
        var blocks = store.Iter("x", elements: [0, 1, 2, 5, 9], view: ArrayView.Parse(":, 1:3"), chunkSize: 2).ToList();
        Assert.Equal([2L, 2L, 1L], blocks.Select(b => b.Shape[0]));
        Assert.All(blocks, b => Assert.Equal(2, b.Shape[1]));
        Assert.Equal(new[] { 1, 2, 5, 6, 9, 10, 21, 22, 37, 38 }, blocks.SelectMany(b => b.ToArray<int>()));
        Assert.Equal(40, store.Iter("x", chunkSize: 3).Sum(b => b.Length));
        Assert.Empty(store.Iter("missing"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Iter_ChunkSizeBelowOne_ThrowsShapeException(int chunkSize)
    {
        using var store = ArrayStore.InMemory();
        store.Write("x", NdArray.From(Enumerable.Range(0, 40).ToArray(), 10, 4));
        var error = Assert.Throws<ShapeException>(() => store.Iter("x", chunkSize: chunkSize).ToList());
        Assert.Contains($"chunk size {chunkSize}", error.Message);
    }

    [Fact]
    public void Iter_ViewDroppingAxis0_Throws()
    {
        using var store = ArrayStore.InMemory();
        store.Write("x", NdArray.From(new int[4], 2, 2));
        Assert.Throws<ShapeException>(() => store.Iter("x", view: ArrayView.Parse("0")).ToList());
        Assert.Throws<ShapeException>(() => store.Iter("x", elements: [2]).ToList());
    }

    [Fact]
    public async Task AsyncForms_RoundTrip()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy);
        var range = await store.AppendAsync("x", NdArray.From(new[] { 1, 2 }));
        await store.WriteAsync("y", NdArray.From(new[] { 3 }));
        await store.FlushAsync();
        Assert.Equal(new IndexRange(0, 2), range);
        Assert.Equal(new[] { 1, 2 }, (await store.ReadAsync("x"))!.ToArray<int>());
        Assert.Equal(new long[] { 1 }, (await store.GetAsync("y"))!.Shape);
        Assert.Equal(["x", "y"], await store.AvailableAsync());
    }

    [Fact]
    public void Append_ManyThreads_KeepsEveryFrameWithDisjointRanges()
    {
        using var store = ArrayStore.InMemory();
        const int threads = 8, perThread = 500;
        var ranges = new IndexRange[threads][];
        Parallel.For(0, threads, t =>
        {
            ranges[t] = new IndexRange[perThread];
            for (var i = 0; i < perThread; i++)
            {
                ranges[t][i] = store.Append("x", NdArray.From(Enumerable.Repeat(t * perThread + i, 6).ToArray(), 1, 2, 3));
            }
        });

        var all = store.Read("x")!.ToArray<int>();
        Assert.Equal(threads * perThread * 6, all.Length);
        for (var t = 0; t < threads; t++)
        {
            for (var i = 0; i < perThread; i++)
            {
                Assert.Equal(t * perThread + i, all[ranges[t][i].Start * 6]);
                Assert.Equal(t * perThread + i, all[ranges[t][i].Start * 6 + 5]);
            }

            Assert.True(ranges[t].Zip(ranges[t].Skip(1)).All(p => p.First.Start < p.Second.Start), "per-thread order");
        }
    }

    private static void AssertEqual(NdArray expected, NdArray actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.True(expected.Bytes.SequenceEqual(actual.Bytes), "bytes differ");
    }
}
