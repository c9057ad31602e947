using System.IO.MemoryMappedFiles;
using Store.Core.Arrays;

namespace Store.Core.Formats.Npy;

/// <summary>
/// A flushed <c>.npy</c> file, memory-mapped so reads touch only the bytes asked for.
/// Big-endian files are byte-swapped as they are read; Fortran-order files are transposed into
/// C order once, in memory, when opened.
/// </summary>
internal sealed unsafe class NpyFileSource : ArraySource
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _data;
    private readonly byte[]? _transposed;

    private NpyFileSource(string file, NpyHeader header, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte[]? transposed)
    {
        File = file;
        Header = header;
        _map = map;
        _view = view;
        _transposed = transposed;
        if (view is not null)
        {
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            _data = start + view.PointerOffset + header.DataOffset;
        }
    }

    /// <summary>The file's path.</summary>
    public string File { get; }

    /// <summary>The parsed header.</summary>
    public NpyHeader Header { get; }

    /// <inheritdoc />
    public override DType DType => Header.DType;

    /// <inheritdoc />
    public override long[] Shape => Header.Shape;

    /// <summary>Opens and checks <paramref name="file"/>.</summary>
    /// <exception cref="CorruptDataException">A bad header, or a body shorter than the header says.</exception>
    public static NpyFileSource Open(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var header = NpyHeader.Read(stream, file);
        var needed = header.DataOffset + header.DataBytes;
        if (stream.Length < needed)
        {
            throw new CorruptDataException(
                $"{file}: truncated: the header declares {Shapes.Format(header.Shape)} {header.DType.Name()} ({header.DataBytes} bytes from offset {header.DataOffset}), so the file needs {needed} bytes, but it has {stream.Length}.",
                file);
        }

        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        var view = map.CreateViewAccessor(0, needed, MemoryMappedFileAccess.Read);
        if (!header.FortranOrder || header.Shape.Length < 2)
        {
            return new NpyFileSource(file, header, map, view, null);
        }

        using (map)
        using (view)
        using (var fortran = new NpyFileSource(file, header with { FortranOrder = false, Shape = [.. header.Shape.Reverse()] }, map, view, null))
        {
            return new NpyFileSource(file, header, null, null, Transpose(fortran, header));
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

        new ReadOnlySpan<byte>(_data + offset, destination.Length).CopyTo(destination);
        if (Header.BigEndian)
        {
            ByteOrder.Swap(destination, Header.DType.ItemSize());
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _map?.Dispose();
    }

    /// <summary>Reads a Fortran-order array (seen as the C-order array of the reversed shape) into C order.</summary>
    private static byte[] Transpose(NpyFileSource reversed, NpyHeader header)
    {
        var source = new byte[FortranOrder.CheckedLength(header, reversed.File)];
        reversed.Read(0, source);
        return FortranOrder.ToCOrder(source, header.DType.ItemSize(), header.Shape);
    }
}
