using System.Globalization;
using System.Text;
using Apache.Arrow.Types;
using Store.Core.Tables;

namespace Store.Core.Formats.Text;

/// <summary>
/// The type of one column of a file another tool wrote (it has no sidecar), inferred cell by cell
/// while the file streams past, keeping only this state: the narrowest of int64, double, bool,
/// timestamp and string that every non-null cell fits. Timestamps are zoned (UTC) when every cell has
/// a <c>Z</c> or offset and have no zone when none has (mixed cells stay strings); microseconds, or
/// nanoseconds when a cell has more than 6 fractional digits, so no digit is lost.
/// </summary>
/// <remarks>
/// One pass suffices because the candidates exclude each other but for int64 within double: a
/// number is never a bool or a timestamp (<c>yyyy-MM-dd…</c>), so the first cell settles all but
/// the int64-to-double step, and a later cell can only fall back to string.
/// </remarks>
internal sealed class TextTypeGuess
{
    private Kind _kind = Kind.None;
    private bool _zoned;
    private bool _nanos;
    private bool _fitsMicros = true;
    private bool _fitsNanos = true;

    private enum Kind
    {
        None,
        Int64,
        Double,
        Bool,
        Timestamp,
        String,
    }

    /// <summary>The type every cell added so far fits (string when none was added).</summary>
    public IArrowType Type => _kind switch
    {
        Kind.Int64 => Int64Type.Default,
        Kind.Double => DoubleType.Default,
        Kind.Bool => BooleanType.Default,
        Kind.Timestamp when (_nanos ? _fitsNanos : _fitsMicros) => new TimestampType(_nanos ? TimeUnit.Nanosecond : TimeUnit.Microsecond, _zoned ? "UTC" : null),
        _ => StringType.Default,
    };

    /// <summary>Takes the UTF-8 text of a cell that is not null into account.</summary>
    public void Add(ReadOnlySpan<byte> text) => _kind = _kind switch
    {
        Kind.None when IsInt64(text) => Kind.Int64,
        Kind.None when IsDouble(text) => Kind.Double,
        Kind.None when IsBool(text) => Kind.Bool,
        Kind.None => AddTimestamp(text, first: true) ? Kind.Timestamp : Kind.String,
        Kind.Int64 => IsInt64(text) ? Kind.Int64 : IsDouble(text) ? Kind.Double : Kind.String,
        Kind.Double => IsDouble(text) ? Kind.Double : Kind.String,
        Kind.Bool => IsBool(text) ? Kind.Bool : Kind.String,
        Kind.Timestamp => AddTimestamp(text, first: false) ? Kind.Timestamp : Kind.String,
        _ => Kind.String,
    };

    private static bool IsInt64(ReadOnlySpan<byte> text) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static bool IsDouble(ReadOnlySpan<byte> text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    // Only the words: 1 and 0 are read as bools into a bool column, but inferred as numbers.
    private static bool IsBool(ReadOnlySpan<byte> text) => Ascii.EqualsIgnoreCase(text, "true"u8) || Ascii.EqualsIgnoreCase(text, "false"u8);

    private bool AddTimestamp(ReadOnlySpan<byte> text, bool first)
    {
        Span<char> chars = text.Length <= 128 ? stackalloc char[text.Length] : new char[text.Length];
        if (Timestamps.TryParse(chars[..Encoding.UTF8.GetChars(text, chars)], out _) is not { } parsed || (!first && parsed.HasOffset != _zoned))
        {
            return false;
        }

        _zoned = parsed.HasOffset;
        _nanos |= parsed.FractionDigits > 6;
        _fitsMicros &= Timestamps.ToUnit(parsed, TimeUnit.Microsecond, out _, out _);
        _fitsNanos &= Timestamps.ToUnit(parsed, TimeUnit.Nanosecond, out _, out _);
        return true;
    }
}
