using System.Runtime.InteropServices;
using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>Builders of deterministic test arrays of any dtype.</summary>
public static class TestArrays
{
    /// <summary>An array whose element i is <c>(i % 7) * 3 - 5</c> (bool: <c>i % 3 == 0</c>) in <paramref name="dtype"/>.</summary>
    public static NdArray Sequence(DType dtype, params long[] shape)
    {
        var array = NdArray.Zeros(dtype, shape);
        var count = array.Length;
        for (long i = 0; i < count; i++)
        {
            var v = (i % 7) * 3 - 5;
            switch (dtype)
            {
                case DType.Bool: array.AsSpan<bool>()[(int)i] = i % 3 == 0; break;
                case DType.Int8: array.AsSpan<sbyte>()[(int)i] = (sbyte)v; break;
                case DType.Int16: array.AsSpan<short>()[(int)i] = (short)v; break;
                case DType.Int32: array.AsSpan<int>()[(int)i] = (int)v; break;
                case DType.Int64: array.AsSpan<long>()[(int)i] = v * 1_000_000_007L; break;
                case DType.UInt8: array.AsSpan<byte>()[(int)i] = unchecked((byte)v); break;
                case DType.UInt16: array.AsSpan<ushort>()[(int)i] = unchecked((ushort)v); break;
                case DType.UInt32: array.AsSpan<uint>()[(int)i] = unchecked((uint)v); break;
                case DType.UInt64: array.AsSpan<ulong>()[(int)i] = unchecked((ulong)v); break;
                case DType.Float32: array.AsSpan<float>()[(int)i] = v / 4f; break;
                case DType.Float64: array.AsSpan<double>()[(int)i] = v / 8.0; break;
            }
        }

        return array;
    }

    /// <summary>Rows <c>[start, stop)</c> of an array along axis 0, copied.</summary>
    public static NdArray Rows(NdArray array, long start, long stop)
    {
        var shape = array.Shape.ToArray();
        var rowBytes = shape.Skip(1).Aggregate(1L, (a, b) => a * b) * array.DType.ItemSize();
        shape[0] = stop - start;
        var bytes = array.Bytes.Slice((int)(start * rowBytes), (int)((stop - start) * rowBytes)).ToArray();
        return NdArray.FromBytes(array.DType, shape, bytes);
    }

    public static float[] Floats(int count, float scale = 1f) =>
        Enumerable.Range(0, count).Select(i => i * scale).ToArray();

    public static byte[] Bytes<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
