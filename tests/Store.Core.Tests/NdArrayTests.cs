using Store.Core.Arrays;

namespace Store.Core.Tests;

public class NdArrayTests
{
    [Fact]
    public void From_WithoutShape_IsOneDimensional()
    {
        Assert.Equal([3L], NdArray.From(new[] { 1, 2, 3 }).Shape.ToArray());
        Assert.Equal([1L], NdArray.From([2.5]).Shape.ToArray());
    }

    [Fact]
    public void From_WithComputedEmptyShape_IsZeroD()
    {
        long[] shape = [];
        var scalar = NdArray.From(new[] { 7 }, shape);
        Assert.Empty(scalar.Shape);
        Assert.Equal(7, scalar.GetValue<int>());
        Assert.Throws<ShapeException>(() => NdArray.From(new[] { 1, 2 }, shape));
    }

    [Fact]
    public void AsSpan_OtherType_Throws()
    {
        var array = NdArray.From(new float[] { 1, 2 });
        Assert.Equal(2f, array.AsSpan<float>()[1]);
        Assert.Throws<InvalidOperationException>(() => array.AsSpan<int>());
    }

    [Fact]
    public void GetValue_NegativeAndOutOfBoundsIndex_FollowsNumpy()
    {
        var array = NdArray.From(Enumerable.Range(0, 6).ToArray(), 2, 3);
        Assert.Equal(5, array.GetValue<int>(-1, -1));
        Assert.Throws<ShapeException>(() => array.GetValue<int>(2, 0));
        Assert.Throws<ShapeException>(() => array.GetValue<int>(0));
    }

    [Theory]
    [InlineData("<f4", DType.Float32, false)]
    [InlineData(">i8", DType.Int64, true)]
    [InlineData("|b1", DType.Bool, false)]
    [InlineData("|u1", DType.UInt8, false)]
    [InlineData(">u1", DType.UInt8, false)]
    [InlineData("=u2", DType.UInt16, false)]
    public void TryParseNumpy_Descriptors_MapToDTypes(string descriptor, DType dtype, bool bigEndian)
    {
        Assert.True(DTypes.TryParseNumpy(descriptor, out var parsed, out var big));
        Assert.Equal(dtype, parsed);
        Assert.Equal(bigEndian, big);
    }

    [Theory]
    [InlineData("<c8")]
    [InlineData("<U3")]
    [InlineData("|O")]
    [InlineData("<f2")]
    [InlineData("")]
    public void TryParseNumpy_UnsupportedDescriptors_AreRefused(string descriptor)
    {
        Assert.False(DTypes.TryParseNumpy(descriptor, out _, out _));
    }

    [Fact]
    public void NumpyDescriptor_EveryDType_RoundTrips()
    {
        foreach (var dtype in DTypes.All)
        {
            Assert.True(DTypes.TryParseNumpy(dtype.NumpyDescriptor(), out var parsed, out _));
            Assert.Equal(dtype, parsed);
        }
    }
}
