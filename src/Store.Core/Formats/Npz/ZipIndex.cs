using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Store.Core.Formats.Npz;

/// <summary>
/// The members of a ZIP archive and where each one's bytes start, read from the central
/// directory (ZIP64 included). .NET's <see cref="ZipArchive"/> hides member offsets, so stored
/// members could only be read front to back; with the offsets they are read in place.
/// </summary>
internal sealed class ZipIndex : IDisposable
{
    private const uint EndOfDirectorySignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint DirectorySignature = 0x02014b50;
    private const uint LocalHeaderSignature = 0x04034b50;

    private readonly Dictionary<string, ZipMember> _members;

    private ZipIndex(string path, SafeFileHandle file, Dictionary<string, ZipMember> members)
    {
        Path = path;
        File = file;
        _members = members;
    }

    /// <summary>The archive's path.</summary>
    public string Path { get; }

    /// <summary>The open archive, for positioned reads (safe from many threads).</summary>
    public SafeFileHandle File { get; }

    /// <summary>Member names in archive order.</summary>
    public IEnumerable<string> Names => _members.Keys;

    /// <summary>Reads the central directory of <paramref name="path"/>.</summary>
    /// <exception cref="CorruptDataException">Not a ZIP archive, or a directory that points outside the file.</exception>
    public static ZipIndex Open(string path)
    {
        var file = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            return new ZipIndex(path, file, ReadDirectory(path, file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The member named <paramref name="name"/>, or null.</summary>
    public ZipMember? Find(string name) => _members.GetValueOrDefault(name);

    /// <summary>Where the member's data starts (past its local header).</summary>
    public long DataOffset(ZipMember member)
    {
        Span<byte> local = stackalloc byte[30];
        ReadExactly(member.HeaderOffset, local, member.Name);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalHeaderSignature)
        {
            throw Corrupt($"member '{member.Name}' has no local header at offset {member.HeaderOffset}");
        }

        return member.HeaderOffset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(local[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(local[28..]);
    }

    /// <summary>A stream over the member's uncompressed bytes (stored or deflated).</summary>
    public Stream OpenRead(ZipMember member)
    {
        var bounded = new MemberStream(File, DataOffset(member), member.CompressedSize);
        return member.Method switch
        {
            0 => bounded,
            8 => new DeflateStream(bounded, CompressionMode.Decompress),
            _ => throw Corrupt($"member '{member.Name}' uses compression method {member.Method}; expected 0 (stored) or 8 (deflate)"),
        };
    }

    /// <summary>Reads exactly <c>destination.Length</c> bytes at <paramref name="offset"/> of the archive.</summary>
    public void ReadExactly(long offset, Span<byte> destination, string what)
    {
        while (!destination.IsEmpty)
        {
            var n = RandomAccess.Read(File, destination, offset);
            if (n == 0)
            {
                throw Corrupt($"{what}: unexpected end of file at offset {offset}");
            }

            destination = destination[n..];
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Dispose() => File.Dispose();

    private CorruptDataException Corrupt(string what) => new($"{Path}: {what}.", Path);

    private static Dictionary<string, ZipMember> ReadDirectory(string path, SafeFileHandle file)
    {
        var length = RandomAccess.GetLength(file);
        var tailLength = (int)Math.Min(length, 22 + ushort.MaxValue + 20);
        var tail = new byte[tailLength];
        RandomAccess.Read(file, tail, length - tailLength);
        var end = -1;
        for (var i = tailLength - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndOfDirectorySignature)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw new CorruptDataException($"{path}: not a ZIP archive: no end-of-central-directory record in the last {tailLength} bytes.", path);
        }

        long count = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 10));
        long size = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 12));
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 16));
        if ((count == ushort.MaxValue || size == uint.MaxValue || offset == uint.MaxValue) && end >= 20
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end - 20)) == Zip64LocatorSignature)
        {
            var zip64End = new byte[56];
            RandomAccess.Read(file, zip64End, (long)BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(end - 12)));
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip64End) != Zip64EndSignature)
            {
                throw new CorruptDataException($"{path}: the ZIP64 locator points at no ZIP64 end record.", path);
            }

            count = (long)BinaryPrimitives.ReadUInt64LittleEndian(zip64End.AsSpan(32));
            size = (long)BinaryPrimitives.ReadUInt64LittleEndian(zip64End.AsSpan(40));
            offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(zip64End.AsSpan(48));
        }

        if (offset < 0 || size < 0 || offset + size > length || size > int.MaxValue)
        {
            throw new CorruptDataException($"{path}: the central directory ({size} bytes at {offset}) lies outside the {length}-byte file.", path);
        }

        var directory = new byte[size];
        RandomAccess.Read(file, directory, offset);
        var members = new Dictionary<string, ZipMember>(StringComparer.Ordinal);
        var at = 0;
        for (long i = 0; i < count; i++)
        {
            if (at + 46 > directory.Length || BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(at)) != DirectorySignature)
            {
                throw new CorruptDataException($"{path}: central directory entry {i} at offset {offset + at} is malformed.", path);
            }

            var record = directory.AsSpan(at);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(record[20..]);
            long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(record[24..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record[28..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(record[30..]);
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(record[32..]);
            long headerOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[42..]);
            if (at + 46 + nameLength + extraLength > directory.Length)
            {
                throw new CorruptDataException($"{path}: central directory entry {i} runs past the directory.", path);
            }

            var encoding = (flags & 0x800) != 0 ? Encoding.UTF8 : Encoding.Latin1;
            var name = encoding.GetString(record.Slice(46, nameLength));
            ReadZip64Extra(record.Slice(46 + nameLength, extraLength), ref uncompressed, ref compressed, ref headerOffset);
            members[name] = new ZipMember(name, method, compressed, uncompressed, headerOffset);
            at += 46 + nameLength + extraLength + commentLength;
        }

        return members;
    }

    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long headerOffset)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            var body = extra.Slice(4, Math.Min(size, extra.Length - 4));
            if (id == 0x0001)
            {
                // Only the fields whose 32-bit values are saturated are present, in this order.
                if (uncompressed == uint.MaxValue && body.Length >= 8) { uncompressed = (long)BinaryPrimitives.ReadUInt64LittleEndian(body); body = body[8..]; }
                if (compressed == uint.MaxValue && body.Length >= 8) { compressed = (long)BinaryPrimitives.ReadUInt64LittleEndian(body); body = body[8..]; }
                if (headerOffset == uint.MaxValue && body.Length >= 8) { headerOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(body); }
                return;
            }

            extra = extra[Math.Min(extra.Length, 4 + size)..];
        }
    }

    /// <summary>Reads <c>length</c> bytes of the archive from <c>start</c> on, by position (no shared file pointer).</summary>
    private sealed class MemberStream(SafeFileHandle file, long start, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = RandomAccess.Read(file, buffer[..(int)Math.Min(buffer.Length, length - _position)], start + _position);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
