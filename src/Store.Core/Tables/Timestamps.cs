using System.Globalization;
using System.Text;
using Apache.Arrow.Types;

namespace Store.Core.Tables;

/// <summary>
/// Timestamps as Arrow stores them — whole counts of the column's unit (s, ms, µs, ns) since
/// 1970-01-01 00:00:00 — converted with integer arithmetic only: to and from <see cref="DateTime"/>,
/// and to and from the text CSV, JSON lines and filters use. Nothing here reads the process's time
/// zone, so a value means the same on every machine, and no conversion rounds toward 1970.
/// </summary>
internal static class Timestamps
{
    /// <summary>Nanoseconds in a second: the finest unit, and the scale at which values of any unit compare.</summary>
    public const long NanosPerSecond = 1_000_000_000;

    private const long SecondsPerDay = 86_400;

    /// <summary>How many of <paramref name="unit"/> make a second.</summary>
    public static long PerSecond(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 1,
        TimeUnit.Millisecond => 1_000,
        TimeUnit.Microsecond => 1_000_000,
        _ => NanosPerSecond,
    };

    /// <summary>The fractional digits a value of <paramref name="unit"/> has in text: 0, 3, 6 or 9.</summary>
    public static int FractionDigits(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 0,
        TimeUnit.Millisecond => 3,
        TimeUnit.Microsecond => 6,
        _ => 9,
    };

    /// <summary>Whether <paramref name="type"/> holds instants (it names a zone) rather than wall-clock values.</summary>
    public static bool IsZoned(TimestampType type) => !string.IsNullOrEmpty(type.Timezone);

    /// <summary>The value as nanoseconds since the epoch (wider than a long, so every unit fits): the common scale for comparisons.</summary>
    public static Int128 ToNanos(long value, TimeUnit unit) => (Int128)value * (NanosPerSecond / PerSecond(unit));

    /// <summary>
    /// The value as a <see cref="DateTime"/>: <see cref="DateTimeKind.Utc"/> when the type names a zone,
    /// <see cref="DateTimeKind.Unspecified"/> (the wall-clock value, never shifted) when it does not.
    /// Nanoseconds below DateTime's 100 ns tick go to the earlier tick. False when the value lies
    /// outside DateTime's years 1 to 9999.
    /// </summary>
    public static bool TryToDateTime(long value, TimestampType type, out DateTime result)
    {
        result = default;
        var ticks = FloorDiv(ToNanos(value, type.Unit), 100) + DateTime.UnixEpoch.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        result = new DateTime((long)ticks, IsZoned(type) ? DateTimeKind.Utc : DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>
    /// <paramref name="value"/> in the unit of <paramref name="type"/>. For a zoned type a
    /// <see cref="DateTimeKind.Local"/> value is converted to UTC (that is what Local means) and any
    /// other kind is taken as UTC; for a type without a zone the wall-clock value is kept as it is.
    /// Ticks finer than the unit go to the earlier unit.
    /// </summary>
    /// <exception cref="SchemaException">The value does not fit the unit's range (nanoseconds: years 1677 to 2262).</exception>
    public static long FromDateTime(DateTime value, TimestampType type)
    {
        var ticks = (IsZoned(type) && value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).Ticks - DateTime.UnixEpoch.Ticks;
        var scaled = type.Unit == TimeUnit.Nanosecond ? (Int128)ticks * 100 : FloorDiv(ticks, TimeSpan.TicksPerSecond / PerSecond(type.Unit));
        return scaled >= long.MinValue && scaled <= long.MaxValue
            ? (long)scaled
            : throw new SchemaException($"{value:O} does not fit {ArrowColumns.Describe(type)} (nanoseconds reach from 1677 to 2262).");
    }

    /// <summary>
    /// The text of a value: <c>yyyy-MM-dd HH:mm:ss</c> with as many fractional digits as the unit has
    /// (ms 3, µs 6, ns 9) for wall-clock values; <c>yyyy-MM-ddTHH:mm:ss…Z</c> (RFC 3339, UTC) for
    /// zoned ones. Years outside 0000–9999 carry a sign (ISO 8601 expanded years).
    /// </summary>
    public static string Format(long value, TimestampType type)
    {
        var perSecond = PerSecond(type.Unit);
        var seconds = FloorDiv(value, perSecond);
        var fraction = value - (seconds * perSecond);
        var days = FloorDiv(seconds, SecondsPerDay);
        var secondOfDay = seconds - (days * SecondsPerDay);
        var (year, month, day) = CivilFromDays(days);
        var text = new StringBuilder(32);
        if (year is < 0 or > 9999)
        {
            text.Append(year < 0 ? '-' : '+');
        }

        text.Append(Math.Abs(year).ToString("D4", CultureInfo.InvariantCulture))
            .Append('-').Append(month.ToString("D2", CultureInfo.InvariantCulture))
            .Append('-').Append(day.ToString("D2", CultureInfo.InvariantCulture))
            .Append(IsZoned(type) ? 'T' : ' ')
            .Append((secondOfDay / 3600).ToString("D2", CultureInfo.InvariantCulture))
            .Append(':').Append((secondOfDay / 60 % 60).ToString("D2", CultureInfo.InvariantCulture))
            .Append(':').Append((secondOfDay % 60).ToString("D2", CultureInfo.InvariantCulture));
        if (FractionDigits(type.Unit) is > 0 and var digits)
        {
            text.Append('.').Append(fraction.ToString("D" + digits, CultureInfo.InvariantCulture));
        }

        if (IsZoned(type))
        {
            text.Append('Z');
        }

        return text.ToString();
    }

    /// <summary>
    /// Reads <paramref name="text"/> as a value of <paramref name="type"/>. A zoned type takes a
    /// trailing <c>Z</c> or UTC offset (the value is moved to UTC) or none (the text is UTC); a type
    /// without a zone refuses an offset, since turning it into a wall-clock value would need a zone.
    /// </summary>
    /// <exception cref="FormatException">Not a timestamp, more fractional digits than the unit holds, or outside its range.</exception>
    public static long Parse(string text, TimestampType type)
    {
        var parsed = TryParse(text, out var error) ?? throw new FormatException($"'{text}' is not a timestamp ({error})");
        if (parsed.HasOffset && !IsZoned(type))
        {
            throw new FormatException($"'{text}' carries a UTC offset, but a {ArrowColumns.Describe(type)} column holds wall-clock values without one");
        }

        return ToUnit(parsed, type.Unit, out var value, out error) ? value : throw new FormatException($"'{text}' {error}");
    }

    /// <summary>
    /// Reads a timestamp text: <c>[±]yyyy-MM-dd</c>, optionally followed by <c>T</c> or a space,
    /// <c>HH:mm</c>, <c>:ss</c>, up to 9 fractional digits, and <c>Z</c> or an offset
    /// (<c>±HH</c>, <c>±HHmm</c>, <c>±HH:mm</c>). Null, with the reason, when the text is not one.
    /// </summary>
    public static TimestampText? TryParse(ReadOnlySpan<char> text, out string error)
    {
        error = "";
        var at = 0;
        var negative = false;
        var signed = text.Length > 0 && text[0] is '+' or '-';
        if (signed)
        {
            negative = text[0] == '-';
            at++;
        }

        var yearDigits = Digits(text, at);
        if (signed ? yearDigits is < 4 or > 12 : yearDigits != 4)
        {
            error = "expected a year of four digits";
            return null;
        }

        var year = long.Parse(text.Slice(at, yearDigits), CultureInfo.InvariantCulture) * (negative ? -1 : 1);
        at += yearDigits;
        if (!Expect(text, ref at, '-') || !Number(text, ref at, 2, out var month) || !Expect(text, ref at, '-') || !Number(text, ref at, 2, out var day))
        {
            error = "expected yyyy-MM-dd";
            return null;
        }

        if (month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, (int)month))
        {
            error = "no such date";
            return null;
        }

        long hour = 0, minute = 0, second = 0, nanos = 0;
        var fractionDigits = 0;
        if (at < text.Length && text[at] is 'T' or 't' or ' ')
        {
            at++;
            if (!Number(text, ref at, 2, out hour) || !Expect(text, ref at, ':') || !Number(text, ref at, 2, out minute))
            {
                error = "expected HH:mm after the date";
                return null;
            }

            if (at < text.Length && text[at] == ':')
            {
                at++;
                if (!Number(text, ref at, 2, out second))
                {
                    error = "expected two digits of seconds";
                    return null;
                }

                if (at < text.Length && text[at] == '.')
                {
                    at++;
                    fractionDigits = Digits(text, at);
                    if (fractionDigits is 0 or > 9)
                    {
                        error = fractionDigits == 0 ? "expected digits after the decimal point" : "more than 9 fractional digits (nanoseconds are the finest unit)";
                        return null;
                    }

                    nanos = long.Parse(text.Slice(at, fractionDigits), CultureInfo.InvariantCulture);
                    for (var d = fractionDigits; d < 9; d++)
                    {
                        nanos *= 10;
                    }

                    at += fractionDigits;
                }
            }

            if (hour > 23 || minute > 59 || second > 59)
            {
                error = "no such time of day";
                return null;
            }
        }

        long offsetSeconds = 0;
        var hasOffset = false;
        if (at < text.Length && text[at] is 'Z' or 'z')
        {
            at++;
            hasOffset = true;
        }
        else if (at < text.Length && text[at] is '+' or '-')
        {
            var sign = text[at++] == '-' ? -1 : 1;
            long offsetMinutes = 0;
            var valid = Number(text, ref at, 2, out var offsetHours);
            if (valid && at < text.Length)
            {
                Expect(text, ref at, ':');
                valid = Number(text, ref at, 2, out offsetMinutes);
            }

            if (!valid || offsetHours > 23 || offsetMinutes > 59)
            {
                error = "expected a UTC offset ±HH, ±HHmm or ±HH:mm";
                return null;
            }

            offsetSeconds = sign * ((offsetHours * 3600) + (offsetMinutes * 60));
            hasOffset = true;
        }

        if (at != text.Length)
        {
            error = $"unexpected '{text[at]}' at position {at + 1}";
            return null;
        }

        var seconds = (Int128)DaysFromCivil(year, (int)month, (int)day) * SecondsPerDay + (hour * 3600) + (minute * 60) + second - offsetSeconds;
        return new TimestampText(seconds, nanos, fractionDigits, hasOffset);
    }

    /// <summary>A parsed text as a count of <paramref name="unit"/>; false, with the reason, when it has finer digits than the unit or lies outside its range.</summary>
    public static bool ToUnit(TimestampText parsed, TimeUnit unit, out long value, out string error)
    {
        value = 0;
        error = "";
        var nanosPerUnit = NanosPerSecond / PerSecond(unit);
        if (parsed.Nanos % nanosPerUnit != 0)
        {
            error = $"has more fractional digits than timestamp[{unit}] holds";
            return false;
        }

        var scaled = (parsed.Seconds * PerSecond(unit)) + (parsed.Nanos / nanosPerUnit);
        if (scaled < long.MinValue || scaled > long.MaxValue)
        {
            error = $"lies outside the range of timestamp[{unit}]" + (unit == TimeUnit.Nanosecond ? " (years 1677 to 2262)" : "");
            return false;
        }

        value = (long)scaled;
        return true;
    }

    /// <summary>The quotient rounded toward negative infinity (C#'s <c>/</c> rounds toward zero, which would move pre-1970 values later).</summary>
    public static long FloorDiv(long value, long divisor) => (long)FloorDiv((Int128)value, divisor);

    private static Int128 FloorDiv(Int128 value, long divisor)
    {
        var quotient = value / divisor;
        return value % divisor < 0 ? quotient - 1 : quotient;
    }

    private static int Digits(ReadOnlySpan<char> text, int at)
    {
        var count = 0;
        while (at + count < text.Length && char.IsAsciiDigit(text[at + count]))
        {
            count++;
        }

        return count;
    }

    private static bool Number(ReadOnlySpan<char> text, ref int at, int digits, out long value)
    {
        value = 0;
        if (Digits(text, at) < digits)
        {
            return false;
        }

        for (var i = 0; i < digits; i++)
        {
            value = (value * 10) + (text[at++] - '0');
        }

        return true;
    }

    private static bool Expect(ReadOnlySpan<char> text, ref int at, char c)
    {
        if (at < text.Length && text[at] == c)
        {
            at++;
            return true;
        }

        return false;
    }

    private static int DaysInMonth(long year, int month) => month switch
    {
        2 => (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    // Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms, any year).
    private static long DaysFromCivil(long year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - (era * 400);
        var dayOfYear = ((153 * (month > 2 ? month - 3 : month + 9)) + 2) / 5 + day - 1;
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146_097) + dayOfEra - 719_468;
    }

    private static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        days += 719_468;
        var era = (days >= 0 ? days : days - 146_096) / 146_097;
        var dayOfEra = days - (era * 146_097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36_524) - (dayOfEra / 146_096)) / 365;
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var shifted = ((5 * dayOfYear) + 2) / 153;
        var day = (int)(dayOfYear - (((153 * shifted) + 2) / 5) + 1);
        var month = (int)(shifted < 10 ? shifted + 3 : shifted - 9);
        return (yearOfEra + (era * 400) + (month <= 2 ? 1 : 0), month, day);
    }
}
