using System.Text;

namespace Store.Core.Arrays;

/// <summary>Shape arithmetic shared by arrays, entries and codecs, with overflow checks.</summary>
internal static class Shapes
{
    /// <summary>Elements in a shape; throws <see cref="ShapeException"/> on a negative size or overflow.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape, string? path = null)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ShapeException($"Shape {Format(shape)} has a negative dimension.", path);
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                throw new ShapeException($"Shape {Format(shape)} has more elements than a 64-bit count holds.", path);
            }
        }

        return count;
    }

    /// <summary>Bytes a C-order array of this shape occupies; throws on overflow.</summary>
    public static long ByteLength(ReadOnlySpan<long> shape, DType dtype, string? path = null)
    {
        var count = ElementCount(shape, path);
        try
        {
            return checked(count * dtype.ItemSize());
        }
        catch (OverflowException)
        {
            throw new ShapeException(
                $"Shape {Format(shape)} of {dtype.Name()} needs more bytes than a 64-bit size holds.", path);
        }
    }

    /// <summary>Bytes of one row along axis 0 (the product of <c>shape[1..]</c> times the item size).</summary>
    public static long RowBytes(ReadOnlySpan<long> shape, DType dtype, string? path = null) =>
        shape.Length == 0 ? dtype.ItemSize() : ByteLength(shape[1..], dtype, path);

    /// <summary>A shape as numpy prints it: <c>(3, 4)</c>, <c>(5,)</c>, <c>()</c>.</summary>
    public static string Format(ReadOnlySpan<long> shape)
    {
        var text = new StringBuilder("(");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(shape[i]);
        }

        if (shape.Length == 1)
        {
            text.Append(',');
        }

        return text.Append(')').ToString();
    }

    /// <summary>C-order strides in elements for each axis.</summary>
    public static long[] ElementStrides(ReadOnlySpan<long> shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= Math.Max(shape[axis], 1);
        }

        return strides;
    }
}
