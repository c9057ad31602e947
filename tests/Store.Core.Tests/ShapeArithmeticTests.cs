using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>
/// Shapes whose sizes do not fit 64 bits are a <see cref="ShapeException"/>, never an
/// <see cref="OverflowException"/> or a wrong count. The rule is numpy's: the product of the
/// non-zero dimensions times the item size must fit, even when another dimension is 0
/// (numpy 1.24: "array is too big" for each refused case below).
/// </summary>
public class ShapeArithmeticTests
{
    [Theory]
    [InlineData(DType.Float64, new long[] { long.MaxValue, 1 })]
    [InlineData(DType.Int64, new long[] { long.MaxValue, 2 })]
    [InlineData(DType.Int64, new long[] { 0, long.MaxValue, 2 })]
    [InlineData(DType.UInt8, new long[] { 0, 1L << 62, 4 })]
    [InlineData(DType.Float64, new long[] { 0, 1L << 61 })]
    [InlineData(DType.Int16, new long[] { 1L << 62, 0 })]
    public void Zeros_ShapeTooBigFor64Bits_ThrowsShapeException(DType dtype, long[] shape)
    {
        var error = Assert.Throws<ShapeException>(() => NdArray.Zeros(dtype, shape));
        Assert.Contains(Shapes.Format(shape), error.Message);
    }

    [Theory]
    [InlineData(DType.Int32, new long[] { 0, 5, 3 })]
    [InlineData(DType.UInt8, new long[] { long.MaxValue, 0 })]
    [InlineData(DType.Float64, new long[] { 0, (1L << 60) - 1 })]
    public void Zeros_EmptyShapeThatFits_IsEmpty(DType dtype, long[] shape)
    {
        var array = NdArray.Zeros(dtype, shape);
        Assert.Equal(shape, array.Shape.ToArray());
        Assert.Equal(0, array.Length);
        Assert.Equal(0, array.Bytes.Length);
    }

    [Fact]
    public void Zeros_UndefinedDType_ThrowsShapeException()
    {
        Assert.Throws<ShapeException>(() => NdArray.Zeros((DType)99, 2));
        Assert.Throws<ShapeException>(() => NdArray.FromBytes((DType)(-1), [1], new byte[1]));
    }

    [Fact]
    public void Append_RowCountPastLongMax_ThrowsShapeExceptionAndKeepsTheEntry()
    {
        using var store = ArrayStore.InMemory();
        store.Append("z", NdArray.Zeros(DType.UInt8, long.MaxValue - 1, 0));
        Assert.Equal(new IndexRange(long.MaxValue - 1, 1), store.Append("z", NdArray.Zeros(DType.UInt8, 1, 0)));

        Assert.Throws<ShapeException>(() => store.Append("z", NdArray.Zeros(DType.UInt8, 1, 0)));
        Assert.Equal([long.MaxValue, 0L], store.Shape("z")!);
    }

    [Fact]
    public void Append_ShapeThatWouldBeTooBigForItsDType_ThrowsShapeException()
    {
        // (2^62, 0) of int16 is 2^63 bytes of non-zero dimensions: numpy refuses it.
        using var store = ArrayStore.InMemory();
        store.Append("z", NdArray.Zeros(DType.Int16, (1L << 62) - 1, 0));
        Assert.Throws<ShapeException>(() => store.Append("z", NdArray.Zeros(DType.Int16, 1, 0)));
        Assert.Equal([(1L << 62) - 1, 0L], store.Shape("z")!);
    }
}
