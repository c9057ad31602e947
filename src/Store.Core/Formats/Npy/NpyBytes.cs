using System.Runtime.InteropServices;
using Store.Core.Arrays;

namespace Store.Core.Formats.Npy;

/// <summary>
/// An array as the bytes of one <c>.npy</c> file in memory and back: how arrays cross a journal or
/// the wire, in the format numpy reads, with the same header code as the NPY files.
/// </summary>
public static class NpyBytes
{
    /// <summary>The <c>.npy</c> file bytes of <paramref name="array"/> (little-endian, C order).</summary>
    public static byte[] Encode(NdArray array)
    {
        var header = NpyHeader.Encode(array.DType, array.Shape.AsSpan());
        var bytes = new byte[header.Length + array.Bytes.Length];
        header.CopyTo(bytes, 0);
        array.Bytes.CopyTo(bytes.AsSpan(header.Length));
        return bytes;
    }

    /// <summary>The array in <paramref name="bytes"/>, which hold one little-endian, C-order <c>.npy</c> file.</summary>
    /// <param name="bytes">The file bytes.</param>
    /// <param name="name">What the bytes are, for error messages.</param>
    /// <exception cref="CorruptDataException">The bytes are not such a file, or are truncated or too long.</exception>
    public static NdArray Decode(ReadOnlyMemory<byte> bytes, string name)
    {
        var segment = MemoryMarshal.TryGetArray(bytes, out var array) ? array : new ArraySegment<byte>(bytes.ToArray());
        using var stream = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
        var header = NpyHeader.Read(stream, name);
        if (header.BigEndian || header.FortranOrder)
        {
            throw new CorruptDataException($"{name}: expected little-endian C-order .npy bytes, found {(header.BigEndian ? "big-endian" : "Fortran order")}.", name);
        }

        var data = bytes.Length - header.DataOffset;
        if (data != header.DataBytes)
        {
            throw new CorruptDataException($"{name}: the header describes {header.DataBytes} data bytes, found {data}.", name);
        }

        return NdArray.FromBytes(header.DType, header.Shape, bytes.Span[(int)header.DataOffset..].ToArray());
    }
}
