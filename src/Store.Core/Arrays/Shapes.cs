using System.Globalization;
using System.Text;

namespace Store.Core.Arrays;

/// <summary>Shape arithmetic shared by arrays, entries and codecs, with overflow checks.</summary>
internal static class Shapes
{
    /// <summary>
    /// Elements in a shape; throws <see cref="ShapeException"/> on a negative size or when the
    /// non-zero dimensions multiply past 64 bits. As in numpy, that holds even when another
    /// dimension is 0: <c>(0, 2^63 - 1, 2)</c> is refused rather than counted as empty.
    /// </summary>
    public static long ElementCount(ReadOnlySpan<long> shape, string? path = null)
    {
        var (product, empty) = NonZeroProduct(shape, path);
        return empty ? 0 : product;
    }

    /// <summary>
    /// Bytes a C-order array of this shape occupies; throws <see cref="ShapeException"/> when the
    /// non-zero dimensions times the item size do not fit 64 bits (numpy's "array is too big").
    /// </summary>
    public static long ByteLength(ReadOnlySpan<long> shape, DType dtype, string? path = null)
    {
        var (product, empty) = NonZeroProduct(shape, path);
        long bytes;
        try
        {
            bytes = checked(product * dtype.ItemSize());
        }
        catch (OverflowException)
        {
            throw new ShapeException(
                $"Shape {Format(shape)} of {dtype.Name()} needs more bytes than a 64-bit size holds.", path);
        }

        return empty ? 0 : bytes;
    }

    /// <summary>
    /// Bytes of one chunk of shape <paramref name="chunk"/> with items of <paramref name="itemSize"/>
    /// bytes, or -1 when that is more than one buffer (<see cref="Array.MaxLength"/> bytes) holds.
    /// </summary>
    public static long ChunkBytes(ReadOnlySpan<int> chunk, int itemSize)
    {
        long bytes = itemSize;
        foreach (var length in chunk)
        {
            // Both factors stay below 2^31, so the product cannot overflow before the check.
            bytes *= Math.Max(length, 0);
            if (bytes > Array.MaxLength)
            {
                return -1;
            }
        }

        return bytes;
    }

    /// <summary>Bytes of one row along axis 0 (the product of <c>shape[1..]</c> times the item size).</summary>
    public static long RowBytes(ReadOnlySpan<long> shape, DType dtype, string? path = null) =>
        shape.Length == 0 ? dtype.ItemSize() : ByteLength(shape[1..], dtype, path);

    /// <summary>A shape as numpy prints it: <c>(3, 4)</c>, <c>(5,)</c>, <c>()</c>.</summary>
    public static string Format(ReadOnlySpan<long> shape)
    {
        var parts = new string[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return Tuple(parts);
    }

    /// <summary>A chunk shape as numpy prints a shape: <c>(100, 3)</c>, <c>(100,)</c>, <c>()</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return Tuple(parts);
    }

    /// <summary>
    /// The shapes an append to an entry of <paramref name="shape"/> may have, any row count first:
    /// <c>(n, 3)</c>, <c>(n,)</c> for a one-axis entry.
    /// </summary>
    public static string FormatRows(ReadOnlySpan<long> shape)
    {
        var parts = new string[Math.Max(shape.Length, 1)];
        parts[0] = "n";
        for (var i = 1; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return Tuple(parts);
    }

    // Python's tuple syntax: one element keeps its trailing comma.
    private static string Tuple(string[] parts)
    {
        var text = new StringBuilder("(").AppendJoin(", ", parts);
        if (parts.Length == 1)
        {
            text.Append(',');
        }

        return text.Append(')').ToString();
    }

    // The product of the non-zero dimensions, and whether some dimension is 0.
    private static (long Product, bool Empty) NonZeroProduct(ReadOnlySpan<long> shape, string? path)
    {
        long product = 1;
        var empty = false;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ShapeException($"Shape {Format(shape)} has a negative dimension.", path);
            }

            if (dim == 0)
            {
                empty = true;
                continue;
            }

            try
            {
                product = checked(product * dim);
            }
            catch (OverflowException)
            {
                throw new ShapeException($"Shape {Format(shape)} has more elements than a 64-bit count holds.", path);
            }
        }

        return (product, empty);
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
