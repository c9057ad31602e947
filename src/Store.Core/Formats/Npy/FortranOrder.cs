using Store.Core.Arrays;

namespace Store.Core.Formats.Npy;

/// <summary>
/// Turns the bytes of a Fortran-order (column-major) array into C order, the only layout the
/// store's arrays have. Shared by <c>.npy</c> files and <c>.npz</c> members, which numpy writes
/// with <c>fortran_order: True</c> for any F-contiguous array (a transposed one, <c>np.asfortranarray</c>).
/// </summary>
internal static class FortranOrder
{
    /// <summary>The data bytes of <paramref name="header"/>, checked to fit one in-memory array (the transpose needs them all at once).</summary>
    /// <exception cref="CorruptDataException">More bytes than one array holds; names <paramref name="name"/>.</exception>
    public static int CheckedLength(NpyHeader header, string name)
    {
        var bytes = header.DataBytes;
        return bytes <= Array.MaxLength
            ? (int)bytes
            : throw new CorruptDataException(
                $"{name}: Fortran-order arrays are read into memory and this one has {bytes} bytes, more than one in-memory array holds.", name);
    }

    /// <summary>
    /// The C-order bytes of the array of <paramref name="shape"/> whose elements <paramref name="fortran"/>
    /// holds in Fortran order (the first axis varies fastest).
    /// </summary>
    public static byte[] ToCOrder(ReadOnlySpan<byte> fortran, int itemSize, long[] shape)
    {
        var rank = shape.Length;
        var fortranStrides = new long[rank];
        long stride = itemSize;
        for (var axis = 0; axis < rank; axis++)
        {
            fortranStrides[axis] = stride;
            stride *= shape[axis];
        }

        var result = new byte[fortran.Length];
        var index = new long[rank];
        long from = 0;
        for (long to = 0; to < result.Length; to += itemSize)
        {
            fortran.Slice((int)from, itemSize).CopyTo(result.AsSpan((int)to));
            for (var axis = rank - 1; axis >= 0; axis--)
            {
                from += fortranStrides[axis];
                if (++index[axis] < shape[axis])
                {
                    break;
                }

                from -= fortranStrides[axis] * shape[axis];
                index[axis] = 0;
            }
        }

        return result;
    }
}
