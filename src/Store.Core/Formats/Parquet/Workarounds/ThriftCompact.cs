namespace Store.Core.Formats.Parquet.Workarounds;

/// <summary>
/// The few pieces of Thrift's compact protocol that a Parquet page header needs (Parquet.Net keeps
/// its own reader internal): field headers, integers, and skipping whatever else a writer put there.
/// </summary>
internal ref struct ThriftCompact
{
    private const int MaxDepth = 32;
    private readonly ReadOnlySpan<byte> _bytes;

    /// <summary>Reads <paramref name="bytes"/> from their start.</summary>
    public ThriftCompact(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>How many bytes have been read.</summary>
    public int Position { get; private set; }

    /// <summary>
    /// The next field of the struct being read, or false at its end. <paramref name="lastId"/> is the
    /// struct's previous field id (0 at its start), which compact headers are relative to.
    /// </summary>
    public bool NextField(ref short lastId, out short id, out byte type)
    {
        var header = ReadByte();
        type = (byte)(header & 0x0F);
        if (type == 0)
        {
            id = 0;
            return false;
        }

        var delta = header >> 4;
        id = delta != 0 ? (short)(lastId + delta) : (short)ReadZigZag();
        lastId = id;
        return true;
    }

    /// <summary>An i32 (or i16) field's value.</summary>
    public int ReadInt() => checked((int)ReadZigZag());

    /// <summary>A bool field's value, which compact headers carry in the field type.</summary>
    public static bool BoolOf(byte type) => type == 1;

    /// <summary>Skips a value of compact type <paramref name="type"/> (nested structs, lists and maps too).</summary>
    public void Skip(byte type, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"a page header nested more than {MaxDepth} levels deep");
        }

        switch (type)
        {
            case 1 or 2:
                return;
            case 3:
                ReadByte();
                return;
            case 4 or 5 or 6:
                ReadZigZag();
                return;
            case 7:
                Advance(8);
                return;
            case 8:
                Advance(checked((int)ReadUleb()));
                return;
            case 9 or 10:
                var listHeader = ReadByte();
                var size = listHeader >> 4 == 15 ? checked((int)ReadUleb()) : listHeader >> 4;
                var elementType = (byte)(listHeader & 0x0F);
                for (var i = 0; i < size; i++)
                {
                    SkipElement(elementType, depth);
                }

                return;
            case 11:
                var entries = checked((int)ReadUleb());
                if (entries > 0)
                {
                    var kinds = ReadByte();
                    for (var i = 0; i < entries; i++)
                    {
                        SkipElement((byte)(kinds >> 4), depth);
                        SkipElement((byte)(kinds & 0x0F), depth);
                    }
                }

                return;
            case 12:
                short last = 0;
                while (NextField(ref last, out _, out var fieldType))
                {
                    Skip(fieldType, depth + 1);
                }

                return;
            default:
                throw new FormatException($"a Thrift value of unknown type {type}");
        }
    }

    private void SkipElement(byte type, int depth)
    {
        if (type is 1 or 2)
        {
            ReadByte(); // inside lists and maps a bool takes a byte
        }
        else
        {
            Skip(type, depth + 1);
        }
    }

    private byte ReadByte()
    {
        if (Position >= _bytes.Length)
        {
            throw new FormatException("a page header runs past the end of the column chunk");
        }

        return _bytes[Position++];
    }

    private void Advance(int count)
    {
        if (count < 0 || Position + (long)count > _bytes.Length)
        {
            throw new FormatException("a page header runs past the end of the column chunk");
        }

        Position += count;
    }

    private ulong ReadUleb()
    {
        var position = Position;
        try
        {
            return DeltaBinaryPacked.ReadUleb(_bytes, ref position);
        }
        finally
        {
            Position = position;
        }
    }

    private long ReadZigZag()
    {
        var raw = ReadUleb();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }
}
