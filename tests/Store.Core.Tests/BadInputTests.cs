using Store.Core.Arrays;

namespace Store.Core.Tests;

public class BadInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<DiskFormat> Formats => new() { DiskFormat.None, DiskFormat.Npy, DiskFormat.Npz, DiskFormat.Zarr };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Append_OtherTrailingShape_ThrowsAndKeepsData(DiskFormat format)
    {
        using var store = StoreWithFrames(format);
        var error = Assert.Throws<ShapeException>(() => store.Append("x", NdArray.From(new float[8], 2, 4)));
        Assert.Contains("'x'", error.Message);
        Assert.Contains("(2, 4)", error.Message);
        Assert.Contains("(n, 3)", error.Message);
        AssertFramesIntact(store);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Append_OtherDType_ThrowsAndKeepsData(DiskFormat format)
    {
        using var store = StoreWithFrames(format);
        var error = Assert.Throws<ShapeException>(() => store.Append("x", NdArray.From(new double[3], 1, 3)));
        Assert.Contains("float64", error.Message);
        Assert.Contains("float32", error.Message);
        AssertFramesIntact(store);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Append_OtherRankOrScalar_Throws(DiskFormat format)
    {
        using var store = StoreWithFrames(format);
        Assert.Throws<ShapeException>(() => store.Append("x", NdArray.From(new float[3])));
        Assert.Throws<ShapeException>(() => store.Append("x", NdArray.Scalar(1f)));
        Assert.Throws<ShapeException>(() => store.Append("new", NdArray.Scalar(1f)));
        Assert.DoesNotContain("new", store.Available());
        AssertFramesIntact(store);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("-5")]
    [InlineData("0, 3")]
    [InlineData("[0, 4]")]
    [InlineData("0, 0, 0")]
    [InlineData("::0")]
    public void Write_ViewOutOfBounds_ThrowsAndKeepsData(string view)
    {
        using var store = StoreWithFrames(DiskFormat.Npy);
        Assert.Throws<ShapeException>(() => store.Write("x", NdArray.From(new float[3], 3), ArrayView.Parse(view)));
        Assert.Throws<ShapeException>(() => store.Read("x", ArrayView.Parse(view)));
        AssertFramesIntact(store);
    }

    [Theory]
    [InlineData("0:2", new long[] { 3, 3 })]
    [InlineData("0", new long[] { 1, 3 })]
    [InlineData(":, 0", new long[] { 2 })]
    public void Write_DataShapeDiffersFromView_ThrowsAndKeepsData(string view, long[] dataShape)
    {
        using var store = StoreWithFrames(DiskFormat.Npz);
        var count = (int)dataShape.Aggregate(1L, (a, b) => a * b);
        var error = Assert.Throws<ShapeException>(() => store.Write("x", NdArray.From(new float[count], dataShape), ArrayView.Parse(view)));
        Assert.Contains("does not fit", error.Message);
        AssertFramesIntact(store);
    }

    [Fact]
    public void Write_ViewOnMissingEntry_ThrowsNotFound()
    {
        using var store = StoreWithFrames(DiskFormat.Npy);
        Assert.Throws<EntryNotFoundException>(() => store.Write("nope", NdArray.From(new float[3], 3), ArrayView.Parse("0")));
        Assert.Equal(["x"], store.Available());
    }

    [Fact]
    public void Write_ViewWithOtherDType_Throws()
    {
        using var store = StoreWithFrames(DiskFormat.Npy);
        Assert.Throws<ShapeException>(() => store.Write("x", NdArray.From(new int[3], 3), ArrayView.Parse("0")));
        AssertFramesIntact(store);
    }

    [Theory]
    [InlineData(new long[] { long.MaxValue, 2 })]
    [InlineData(new long[] { 1L << 40, 1L << 40 })]
    [InlineData(new long[] { -1, 3 })]
    public void Zeros_ShapeThatOverflowsOrIsNegative_Throws(long[] shape)
    {
        Assert.Throws<ShapeException>(() => NdArray.Zeros(DType.Float64, shape));
    }

    [Theory]
    [InlineData("(1099511627776, 1099511627776)", "64-bit")]
    [InlineData("(10, 3)", "truncated")]
    public void Read_NpyHeaderWithImpossibleSize_ThrowsCorruptAndServesOthers(string shape, string expected)
    {
        Directory.CreateDirectory(_temp.Path);
        var header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}";
        header = header.PadRight(118 - 1) + "\n";
        var bytes = new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 }
            .Concat(System.Text.Encoding.ASCII.GetBytes(header)).Concat(new byte[16]).ToArray();
        File.WriteAllBytes(_temp.Sub("bad.npy"), bytes);
        using (var writer = new ArrayStore(_temp.Path, "a", DiskFormat.Npy))
        {
            writer.Write("good", NdArray.From(new[] { 1 }));
        }

        using var store = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        Assert.Equal(["bad", "good"], store.Available());
        var error = Assert.Throws<CorruptDataException>(() => store.Read("bad"));
        Assert.Contains("bad.npy", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Equal(new[] { 1 }, store.Read("good")!.ToArray<int>());
    }

    [Fact]
    public void From_ElementCountDiffersFromShape_Throws()
    {
        Assert.Throws<ShapeException>(() => NdArray.From(new float[5], 2, 3));
        Assert.Throws<ShapeException>(() => NdArray.FromBytes(DType.Int32, [2], new byte[7]));
    }

    [Fact]
    public void Parse_MalformedView_NamesThePosition()
    {
        var error = Assert.Throws<ShapeException>(() => ArrayView.Parse("1, x"));
        Assert.Contains("position 3", error.Message);
        Assert.Throws<ShapeException>(() => ArrayView.Parse("[1, 2"));
        Assert.Throws<ShapeException>(() => ArrayView.Parse("1,"));
    }

    [Fact]
    public void Flush_OneEntryFails_OthersStillFlushAndFailureIsReported()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy);
        store.Append("good", NdArray.From(new[] { 1, 2 }));
        store.Append("bad/x", NdArray.From(new[] { 3 }));
        File.WriteAllText(_temp.Sub("bad"), "a file where the folder should be");
        var error = Assert.Throws<StoreException>(store.Flush);
        Assert.Contains("'bad/x'", error.Message);
        Assert.True(File.Exists(_temp.Sub("good.npy")));

        File.Delete(_temp.Sub("bad"));
        store.Flush();
        using var reopened = new ArrayStore(_temp.Path, "r", DiskFormat.Npy);
        Assert.Equal(new[] { 3 }, reopened.Read("bad/x")!.ToArray<int>());
    }

    private ArrayStore StoreWithFrames(DiskFormat format)
    {
        var store = new ArrayStore(format == DiskFormat.None ? "" : _temp.Path, "w", format);
        store.Append("x", NdArray.From(TestArrays.Floats(6), 2, 3));
        store.Flush();
        store.Append("x", NdArray.From(TestArrays.Floats(3, 10), 1, 3));
        return store;
    }

    private static void AssertFramesIntact(ArrayStore store)
    {
        Assert.Equal(new long[] { 3, 3 }, store.Shape("x"));
        Assert.Equal(TestArrays.Floats(6).Concat(TestArrays.Floats(3, 10)), store.Read("x")!.ToArray<float>());
    }
}
