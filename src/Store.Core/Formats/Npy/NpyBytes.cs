using System.Runtime.InteropServices;
using Store.Core.Arrays;

namespace Store.Core.Formats.Npy;

/// <summary>
/// An array as the bytes of one <c>.npy</c> file in memory and back (header, then the array's own
/// bytes): how arrays cross a journal or the wire, with the same header code as the NPY files.
/// </summary>
public static class NpyBytes
{
    /// <summary>The <c>.npy</c> header of <paramref name="array"/>: its bytes follow it to make the file (for writing both without joining them first).</summary>
    public static byte[] Header(NdArray array) => NpyHeader.Encode(array.DType, array.Shape.AsSpan());

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
