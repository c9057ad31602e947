using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Store.Core.Arrays;

/// <summary>Byte swapping of element buffers (big-endian files to the little-endian memory layout).</summary>
internal static class ByteOrder
{
    /// <summary>Reverses the bytes of every <paramref name="itemSize"/>-byte element in place.</summary>
    public static void Swap(Span<byte> data, int itemSize)
    {
        switch (itemSize)
        {
            case 2:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(data), MemoryMarshal.Cast<byte, ushort>(data));
                break;
            case 4:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(data), MemoryMarshal.Cast<byte, uint>(data));
                break;
            case 8:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(data), MemoryMarshal.Cast<byte, ulong>(data));
                break;
        }
    }
}
