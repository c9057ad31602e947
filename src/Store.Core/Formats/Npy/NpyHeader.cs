using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Store.Core.Arrays;

namespace Store.Core.Formats.Npy;

/// <summary>
/// The header of a NumPy <c>.npy</c> file (format versions 1.0, 2.0 and 3.0): dtype, byte order,
/// memory order and shape, and where the data starts. Writes version 1.0 as numpy does, with
/// room for axis 0 to grow to 21 digits so appends can rewrite the header in place.
/// </summary>
internal sealed record NpyHeader(DType DType, bool BigEndian, bool FortranOrder, long[] Shape, long DataOffset)
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>numpy's cap on header text (its <c>max_header_size</c> default is 10,000; we allow more).</summary>
    private const int MaxHeaderBytes = 1 << 20;

    /// <summary>Digits axis 0 may grow to without moving the data (numpy's GROWTH_AXIS_MAX_DIGITS).</summary>
    private const int GrowthDigits = 21;

    /// <summary>Bytes of data the header describes.</summary>
    public long DataBytes => Shapes.ByteLength(Shape, DType);

    /// <summary>Reads and checks the header at the start of <paramref name="stream"/>; leaves it at the data.</summary>
    /// <param name="stream">The file or archive member, positioned at its start.</param>
    /// <param name="name">The file (and member) name used in error messages.</param>
    /// <exception cref="CorruptDataException">Bad magic, an unknown version, a malformed or unsupported header.</exception>
    public static NpyHeader Read(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[12];
        var got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < 10 || !prefix[..6].SequenceEqual(Magic))
        {
            throw new CorruptDataException(
                $"{name}: not an .npy file: expected the magic \\x93NUMPY at offset 0, found {Convert.ToHexString(prefix[..Math.Min(got, 6)])}.", name);
        }

        var major = prefix[6];
        long lengthFieldEnd;
        long headerLength;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
                lengthFieldEnd = 10;
                break;
            case 2 or 3 when got >= 12:
                headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
                lengthFieldEnd = 12;
                break;
            default:
                throw new CorruptDataException(
                    $"{name}: unsupported .npy format version {major}.{prefix[7]}; expected 1.0, 2.0 or 3.0.", name);
        }

        if (headerLength > MaxHeaderBytes)
        {
            throw new CorruptDataException($"{name}: header length {headerLength} exceeds {MaxHeaderBytes} bytes.", name);
        }

        var text = new byte[headerLength];
        var alreadyRead = got - (int)lengthFieldEnd;
        prefix[(int)lengthFieldEnd..got].CopyTo(text);
        var more = stream.ReadAtLeast(text.AsSpan(alreadyRead), text.Length - alreadyRead, throwOnEndOfStream: false);
        if (alreadyRead + more < text.Length)
        {
            throw new CorruptDataException(
                $"{name}: truncated header: expected {headerLength} header bytes after offset {lengthFieldEnd}, found {alreadyRead + more}.", name);
        }

        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var header = ParseDictionary(encoding.GetString(text), name);
        return header with { DataOffset = lengthFieldEnd + headerLength };
    }

    /// <summary>The header bytes numpy would write for this dtype and shape, plus growth room.</summary>
    public static byte[] Encode(DType dtype, ReadOnlySpan<long> shape)
    {
        var dictionary = DictionaryText(dtype, shape);
        var growth = shape.Length > 0 ? Math.Max(0, GrowthDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length) : 0;
        var body = dictionary.Length + growth + 1;
        var version1 = 10 + body <= 10 + ushort.MaxValue;
        var prefixLength = version1 ? 10 : 12;
        var total = (prefixLength + body + 63) / 64 * 64;
        return Build(dictionary, total, version1);
    }

    /// <summary>
    /// Header bytes for a new shape that occupy exactly <see cref="DataOffset"/> bytes, so the data
    /// need not move; null when the new header does not fit or this header is not one we can rewrite.
    /// </summary>
    public byte[]? EncodeInPlace(ReadOnlySpan<long> newShape)
    {
        if (BigEndian || FortranOrder)
        {
            return null;
        }

        var version1 = DataOffset <= 10 + ushort.MaxValue;
        var dictionary = DictionaryText(DType, newShape);
        var prefixLength = version1 ? 10 : 12;
        return prefixLength + dictionary.Length + 1 > DataOffset ? null : Build(dictionary, (int)DataOffset, version1);
    }

    private static string DictionaryText(DType dtype, ReadOnlySpan<long> shape) =>
        $"{{'descr': '{dtype.NumpyDescriptor()}', 'fortran_order': False, 'shape': {Shapes.Format(shape)}, }}";

    private static byte[] Build(string dictionary, int total, bool version1)
    {
        var bytes = new byte[total];
        Magic.CopyTo(bytes, 0);
        bytes[6] = (byte)(version1 ? 1 : 2);
        bytes[7] = 0;
        var prefixLength = version1 ? 10 : 12;
        if (version1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(total - prefixLength));
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)(total - prefixLength));
        }

        var text = bytes.AsSpan(prefixLength, total - prefixLength);
        text.Fill((byte)' ');
        Encoding.Latin1.GetBytes(dictionary, text);
        text[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>Parses numpy's header dictionary, a Python literal such as <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3,), }</c>.</summary>
    private static NpyHeader ParseDictionary(string text, string name)
    {
        var reader = new LiteralReader(text, name);
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;

        reader.Expect('{');
        while (!reader.TryConsume('}'))
        {
            var key = reader.ReadString();
            reader.Expect(':');
            switch (key)
            {
                case "descr":
                    descr = reader.TryPeek('\'') || reader.TryPeek('"')
                        ? reader.ReadString()
                        : throw new CorruptDataException($"{name}: structured dtypes are not supported; expected a descriptor string such as '<f4'.", name);
                    break;
                case "fortran_order":
                    fortran = reader.ReadBool();
                    break;
                case "shape":
                    shape = reader.ReadTuple();
                    break;
                default:
                    throw new CorruptDataException($"{name}: unexpected header key '{key}'; expected 'descr', 'fortran_order' and 'shape'.", name);
            }

            if (!reader.TryConsume(','))
            {
                reader.Expect('}');
                break;
            }
        }

        if (descr is null || fortran is null || shape is null)
        {
            throw new CorruptDataException($"{name}: header misses {(descr is null ? "'descr'" : fortran is null ? "'fortran_order'" : "'shape'")}.", name);
        }

        if (!DTypes.TryParseNumpy(descr, out var dtype, out var bigEndian))
        {
            throw new CorruptDataException(
                $"{name}: unsupported dtype '{descr}'; expected bool, int8..int64, uint8..uint64, float32 or float64.", name);
        }

        try
        {
            Shapes.ByteLength(shape, dtype, name);
        }
        catch (ShapeException e)
        {
            throw new CorruptDataException($"{name}: {e.Message}", name, e);
        }

        return new NpyHeader(dtype, bigEndian, fortran.Value, shape, 0);
    }

    /// <summary>Reads the few Python literal forms an .npy header uses.</summary>
    private sealed class LiteralReader(string text, string name)
    {
        private int _position;

        public void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw Error($"'{c}'");
            }
        }

        public bool TryConsume(char c)
        {
            SkipSpaces();
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        public bool TryPeek(char c)
        {
            SkipSpaces();
            return _position < text.Length && text[_position] == c;
        }

        public string ReadString()
        {
            SkipSpaces();
            if (_position >= text.Length || text[_position] is not ('\'' or '"'))
            {
                throw Error("a quoted string");
            }

            var quote = text[_position++];
            var end = text.IndexOf(quote, _position);
            if (end < 0)
            {
                throw Error("a closing quote");
            }

            var value = text[_position..end];
            _position = end + 1;
            return value;
        }

        public bool ReadBool()
        {
            SkipSpaces();
            foreach (var (word, value) in new[] { ("True", true), ("False", false) })
            {
                if (string.CompareOrdinal(text, _position, word, 0, word.Length) == 0)
                {
                    _position += word.Length;
                    return value;
                }
            }

            throw Error("True or False");
        }

        public long[] ReadTuple()
        {
            Expect('(');
            var values = new List<long>();
            while (!TryConsume(')'))
            {
                SkipSpaces();
                var start = _position;
                while (_position < text.Length && char.IsAsciiDigit(text[_position]))
                {
                    _position++;
                }

                if (_position == start || !long.TryParse(text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    throw Error("a non-negative integer");
                }

                if (_position < text.Length && text[_position] == 'L')
                {
                    _position++; // Python 2 long suffix.
                }

                values.Add(value);
                if (!TryConsume(','))
                {
                    Expect(')');
                    break;
                }
            }

            return [.. values];
        }

        private void SkipSpaces()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private CorruptDataException Error(string expected) =>
            new($"{name}: malformed header at character {_position}: expected {expected}, found " +
                (_position < text.Length ? $"'{text[_position]}'" : "the end") + $" in \"{text.TrimEnd()}\".", name);
    }
}
