using Store.Core.Arrays;
using Store.Core.Formats.Npy;

namespace Store.Core.Formats.Npz;

/// <summary>
/// One <c>.npy</c> member of an <c>.npz</c> archive. Stored (uncompressed) members, as
/// <c>numpy.savez</c> and this store write them, are read in place by offset; compressed ones
/// (<c>numpy.savez_compressed</c>) are inflated once, on open. Fortran-order members (numpy saves
/// any F-contiguous array so) are read whole on open and transposed into C order, as .npy files are.
/// </summary>
internal sealed class NpzMemberSource : ArraySource
{
    private readonly NpyHeader _header;
    private readonly ZipIndex? _archive;
    private readonly long _dataStart;
    private readonly byte[]? _inflated;
    private readonly byte[]? _transposed;

    private NpzMemberSource(NpyHeader header, ZipIndex? archive, long dataStart, byte[]? inflated, byte[]? transposed = null)
    {
        _header = header;
        _archive = archive;
        _dataStart = dataStart;
        _inflated = inflated;
        _transposed = transposed;
    }

    /// <inheritdoc />
    public override DType DType => _header.DType;

    /// <inheritdoc />
    public override long[] Shape => _header.Shape;

    /// <summary>Opens and checks a member.</summary>
    /// <exception cref="CorruptDataException">A bad header, a short member, or a layout this store cannot read.</exception>
    public static NpzMemberSource Open(ZipIndex archive, ZipMember member)
    {
        var name = $"{archive.Path}:{member.Name}";
        try
        {
            using var stream = archive.OpenRead(member);
            var header = NpyHeader.Read(stream, name);
            var needed = header.DataOffset + header.DataBytes;
            if (member.UncompressedSize < needed)
            {
                throw new CorruptDataException(
                    $"{name}: truncated: the header declares {Shapes.Format(header.Shape)} {header.DType.Name()}, so the member needs {needed} bytes, but it has {member.UncompressedSize}.",
                    name);
            }

            if (header.FortranOrder && header.Shape.Length > 1)
            {
                // Read as the C-order array of the reversed shape (byte-swapped if need be), then transposed.
                var fortran = new byte[FortranOrder.CheckedLength(header, name)];
                stream.ReadExactly(fortran);
                if (header.BigEndian)
                {
                    ByteOrder.Swap(fortran, header.DType.ItemSize());
                }

                return new NpzMemberSource(header, null, 0, null, FortranOrder.ToCOrder(fortran, header.DType.ItemSize(), header.Shape));
            }

            if (member.Method == 0)
            {
                return new NpzMemberSource(header, archive, archive.DataOffset(member) + header.DataOffset, null);
            }

            if (header.DataBytes > Array.MaxLength)
            {
                throw new CorruptDataException($"{name}: compressed members are inflated into memory and this one has {header.DataBytes} bytes, more than one array holds.", name);
            }

            var data = new byte[header.DataBytes];
            stream.ReadExactly(data);
            return new NpzMemberSource(header, null, 0, data);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new CorruptDataException($"{name}: unreadable member: {e.Message}", name, e);
        }
    }

    /// <inheritdoc />
    public override void Read(long offset, Span<byte> destination)
    {
        if (_transposed is not null)
        {
            _transposed.AsSpan(checked((int)offset), destination.Length).CopyTo(destination);
            return;
        }

        if (_inflated is not null)
        {
            _inflated.AsSpan(checked((int)offset), destination.Length).CopyTo(destination);
        }
        else
        {
            _archive!.ReadExactly(_dataStart + offset, destination, _archive.Path);
        }

        if (_header.BigEndian)
        {
            ByteOrder.Swap(destination, _header.DType.ItemSize());
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        // The archive belongs to the codec, which closes it after every entry has closed its source.
    }
}
