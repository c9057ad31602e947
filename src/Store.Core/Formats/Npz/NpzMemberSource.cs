using System.IO.Compression;
using Store.Core.Arrays;
using Store.Core.Formats.Npy;

namespace Store.Core.Formats.Npz;

/// <summary>
/// One <c>.npy</c> member of an <c>.npz</c> archive. Stored (uncompressed) members are read in
/// place by seeking; compressed ones (<c>numpy.savez_compressed</c>) are inflated once on open.
/// </summary>
internal sealed class NpzMemberSource : ArraySource
{
    private readonly NpyHeader _header;
    private readonly Stream? _stream;
    private readonly byte[]? _inflated;
    private readonly Lock _archiveGate;

    private NpzMemberSource(NpyHeader header, Stream? stream, byte[]? inflated, Lock archiveGate)
    {
        _header = header;
        _stream = stream;
        _inflated = inflated;
        _archiveGate = archiveGate;
    }

    /// <inheritdoc />
    public override DType DType => _header.DType;

    /// <inheritdoc />
    public override long[] Shape => _header.Shape;

    /// <summary>Opens and checks a member; the caller holds <paramref name="archiveGate"/>.</summary>
    public static NpzMemberSource Open(ZipArchiveEntry member, string archivePath, Lock archiveGate)
    {
        var name = $"{archivePath}:{member.FullName}";
        var stream = member.Open();
        try
        {
            var header = NpyHeader.Read(stream, name);
            if (header.FortranOrder && header.Shape.Length > 1)
            {
                throw new CorruptDataException($"{name}: Fortran-order members are not supported in .npz archives; expected fortran_order False.", name);
            }

            var needed = header.DataOffset + header.DataBytes;
            if (member.Length < needed)
            {
                throw new CorruptDataException(
                    $"{name}: truncated: the header declares {Shapes.Format(header.Shape)} {header.DType.Name()}, so the member needs {needed} bytes, but it has {member.Length}.",
                    name);
            }

            if (stream.CanSeek)
            {
                return new NpzMemberSource(header, stream, null, archiveGate);
            }

            if (header.DataBytes > Array.MaxLength)
            {
                throw new CorruptDataException($"{name}: compressed members are inflated into memory and this one has {header.DataBytes} bytes, more than one array holds.", name);
            }

            var data = new byte[header.DataBytes];
            stream.ReadExactly(data);
            stream.Dispose();
            return new NpzMemberSource(header, null, data, archiveGate);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            stream.Dispose();
            throw new CorruptDataException($"{name}: unreadable member: {e.Message}", name, e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override void Read(long offset, Span<byte> destination)
    {
        if (_inflated is not null)
        {
            _inflated.AsSpan(checked((int)offset), destination.Length).CopyTo(destination);
        }
        else
        {
            lock (_archiveGate)
            {
                _stream!.Position = _header.DataOffset + offset;
                _stream.ReadExactly(destination);
            }
        }

        if (_header.BigEndian)
        {
            ByteOrder.Swap(destination, _header.DType.ItemSize());
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        lock (_archiveGate)
        {
            _stream?.Dispose();
        }
    }
}
