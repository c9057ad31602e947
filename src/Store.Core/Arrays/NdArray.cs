using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Store.Core.Arrays;

/// <summary>
/// An in-memory N-dimensional array: a dtype, a shape and contiguous C-order little-endian bytes.
/// Elements are reached through typed spans, never boxed. The bytes are limited to what one .NET
/// array holds (about 2 GiB); larger data is read through views or <see cref="ArrayStore.Iter"/>.
/// </summary>
public sealed class NdArray
{
    private readonly byte[] _bytes;

    private NdArray(DType dtype, ImmutableArray<long> shape, byte[] bytes)
    {
        DType = dtype;
        Shape = shape;
        _bytes = bytes;
    }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The size of each axis; empty for a 0-d (scalar) array.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>Number of axes.</summary>
    public int Rank => Shape.Length;

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public long Length => _bytes.Length / DType.ItemSize();

    /// <summary>The raw C-order little-endian bytes; writes through it change the array.</summary>
    public Span<byte> Bytes => _bytes;

    /// <summary>The raw bytes as memory, for APIs that keep them beyond a call.</summary>
    public Memory<byte> Memory => _bytes;

    /// <summary>The bytes an array of <paramref name="dtype"/> and <paramref name="shape"/> holds.</summary>
    /// <exception cref="ShapeException">A negative axis, an unknown dtype, or more bytes than one in-memory array holds.</exception>
    public static long ByteLength(DType dtype, ReadOnlySpan<long> shape) => CheckedByteLength(shape, dtype);

    /// <summary>A zero-filled array.</summary>
    public static NdArray Zeros(DType dtype, params long[] shape)
    {
        var byteLength = CheckedByteLength(shape, dtype);
        return new NdArray(dtype, [.. shape], new byte[byteLength]);
    }

    /// <summary>
    /// An array holding a copy of <paramref name="data"/> laid out in C order with exactly the
    /// given shape (an empty shape is 0-d and takes one element).
    /// </summary>
    /// <exception cref="ShapeException">The shape's element count differs from the data's.</exception>
    public static NdArray From<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        var dtype = DTypes.Of<T>();
        var byteLength = CheckedByteLength(shape, dtype);
        if (byteLength != (long)data.Length * dtype.ItemSize())
        {
            throw new ShapeException(
                $"Shape {Shapes.Format(shape)} holds {Shapes.ElementCount(shape)} elements but {data.Length} were given.");
        }

        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        return new NdArray(dtype, [.. shape], bytes);
    }

    /// <summary>A one-dimensional array holding a copy of <paramref name="data"/>.</summary>
    public static NdArray From<T>(ReadOnlySpan<T> data) where T : unmanaged => From(data, data.Length);

    /// <inheritdoc cref="From{T}(ReadOnlySpan{T}, long[])"/>
    public static NdArray From<T>(T[] data, params long[] shape) where T : unmanaged =>
        From((ReadOnlySpan<T>)data, shape);

    /// <summary>A one-dimensional array holding a copy of <paramref name="data"/>.</summary>
    public static NdArray From<T>(T[] data) where T : unmanaged => From((ReadOnlySpan<T>)data, data.Length);

    /// <summary>A 0-d array holding one value.</summary>
    public static NdArray Scalar<T>(T value) where T : unmanaged =>
        new(DTypes.Of<T>(), [], MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray());

    /// <summary>
    /// An array over <paramref name="bytes"/> without copying them: C-order little-endian data whose
    /// length must equal the shape's byte size.
    /// </summary>
    public static NdArray FromBytes(DType dtype, ReadOnlySpan<long> shape, byte[] bytes)
    {
        var byteLength = CheckedByteLength(shape, dtype);
        if (byteLength != bytes.Length)
        {
            throw new ShapeException(
                $"Shape {Shapes.Format(shape)} of {dtype.Name()} needs {byteLength} bytes but {bytes.Length} were given.");
        }

        return new NdArray(dtype, [.. shape], bytes);
    }

    /// <summary>The elements as a typed span over the array's memory (no copy).</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not this array's dtype.</exception>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        var requested = DTypes.Of<T>();
        if (requested != DType)
        {
            throw new InvalidOperationException($"The array holds {DType.Name()}, not {requested.Name()}.");
        }

        return MemoryMarshal.Cast<byte, T>(_bytes.AsSpan());
    }

    /// <summary>A copy of the elements as a flat C-order array.</summary>
    public T[] ToArray<T>() where T : unmanaged => AsSpan<T>().ToArray();

    /// <summary>The element at a full index (one entry per axis; negative counts from the end).</summary>
    public T GetValue<T>(params long[] index) where T : unmanaged => AsSpan<T>()[checked((int)FlatIndex(index))];

    /// <summary>Whether both arrays have the same dtype, shape and bytes.</summary>
    public bool ContentEquals(NdArray other) =>
        DType == other.DType && Shape.SequenceEqual(other.Shape) && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override string ToString() => $"NdArray({DType.Name()}, {Shapes.Format(Shape.AsSpan())})";

    private long FlatIndex(long[] index)
    {
        if (index.Length != Rank)
        {
            throw new ShapeException($"Index has {index.Length} axes but the array has {Rank}.");
        }

        long flat = 0;
        for (var axis = 0; axis < Rank; axis++)
        {
            var size = Shape[axis];
            var i = index[axis] < 0 ? index[axis] + size : index[axis];
            if (i < 0 || i >= size)
            {
                throw new ShapeException($"Index {index[axis]} is out of bounds for axis {axis} of size {size}.");
            }

            flat = flat * size + i;
        }

        return flat;
    }

    private static long CheckedByteLength(ReadOnlySpan<long> shape, DType dtype)
    {
        if (!Enum.IsDefined(dtype))
        {
            throw new ShapeException($"DType {dtype} is not a dtype; expected one of {string.Join(", ", DTypes.All.Select(d => d.Name()))}.");
        }

        var byteLength = Shapes.ByteLength(shape, dtype);
        if (byteLength > Array.MaxLength)
        {
            throw new ShapeException(
                $"Shape {Shapes.Format(shape)} of {dtype.Name()} needs {byteLength} bytes; an in-memory array holds at most {Array.MaxLength}. Read it through a view or Iter.");
        }

        return byteLength;
    }
}
