using Apache.Arrow;
using Apache.Arrow.Types;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

/// <summary>
/// Timestamp cases shared by the core, interop and actor tests: every Arrow unit, zoned (UTC and a
/// non-UTC zone name) and without a zone, with values before 1970 and after 2038 that use every
/// digit of their unit. Expected values are written out from whole seconds and fractions here,
/// not computed by the code under test. Tests that use them carry <c>[Trait("TimeZone", "any")]</c>,
/// which test.sh runs a second time under TZ=Asia/Kolkata.
/// </summary>
public static class TestTimestamps
{
    /// <summary>Every Arrow timestamp unit.</summary>
    public static readonly TimeUnit[] Units = [TimeUnit.Second, TimeUnit.Millisecond, TimeUnit.Microsecond, TimeUnit.Nanosecond];

    /// <summary>Zones: UTC, none (wall-clock values), and a zone name Parquet cannot hold.</summary>
    public static readonly string?[] Zones = ["UTC", null, "Asia/Kolkata"];

    // (whole seconds since 1970, which fraction of the unit): 1900-01-01 00:00:00 + a third, 1969-12-31
    // 23:59:59 + all nines (one unit before 1970: the value that rounds toward 1970 if truncated),
    // 1970 itself, 2038-01-19 03:14:08 (past 32-bit seconds) + one unit, 2100-01-01 + all nines.
    private static readonly (long Seconds, char Fraction)[] Moments =
    [
        (-2_208_988_800, 't'), (-1, '9'), (0, '0'), (2_147_483_648, '1'), (4_102_444_800, '9'),
    ];

    /// <summary>How many units make a second, written out.</summary>
    public static long PerSecond(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 1,
        TimeUnit.Millisecond => 1_000,
        TimeUnit.Microsecond => 1_000_000,
        _ => 1_000_000_000,
    };

    /// <summary>The raw values (counts of <paramref name="unit"/> since 1970) of the moments, then a null; <paramref name="shiftSeconds"/> moves them all.</summary>
    public static long?[] Values(TimeUnit unit, long shiftSeconds = 0) =>
        [.. Moments.Select(m => (long?)(((m.Seconds + shiftSeconds) * PerSecond(unit)) + Fraction(unit, m.Fraction))), null];

    /// <summary>
    /// The DateTime a raw value stands for: whole seconds from the epoch plus the fraction's whole
    /// 100 ns ticks (fractions are never negative, so this is the earlier tick); Utc when zoned, else Unspecified.
    /// </summary>
    public static DateTime? Expected(long? value, TimeUnit unit, string? zone)
    {
        if (value is not { } v)
        {
            return null;
        }

        var perSecond = PerSecond(unit);
        var seconds = v >= 0 ? v / perSecond : -((-v + perSecond - 1) / perSecond);
        var fraction = v - (seconds * perSecond);
        var ticks = fraction * TimeSpan.TicksPerSecond / perSecond;
        return DateTime.SpecifyKind(new DateTime(1970, 1, 1).AddSeconds(seconds).AddTicks(ticks), zone is null ? DateTimeKind.Unspecified : DateTimeKind.Utc);
    }

    /// <summary>A timestamp column of <paramref name="type"/> holding raw <paramref name="values"/>, built with Arrow's own API (not the store's builders).</summary>
    public static IArrowArray Column(TimestampType type, IReadOnlyList<long?> values)
    {
        var data = new ArrowBuffer.Builder<long>(values.Count);
        var validity = new ArrowBuffer.BitmapBuilder(values.Count);
        foreach (var value in values)
        {
            data.Append(value.GetValueOrDefault());
            validity.Append(value.HasValue);
        }

        var nulls = values.Count(v => v is null);
        return new TimestampArray(new ArrayData(type, values.Count, nulls, 0, [nulls == 0 ? ArrowBuffer.Empty : validity.Build(), data.Build()]));
    }

    /// <summary>A table of an <c>id</c> column and a timestamp column <c>t</c> of the given type holding <see cref="Values"/>.</summary>
    public static Table Table(TimeUnit unit, string? zone, long shiftSeconds = 0)
    {
        var values = Values(unit, shiftSeconds);
        return Store.Core.Tables.Table.FromColumns(
            ("id", TableColumn.Of<long>([.. values.Select((_, i) => (long?)i)])),
            ("t", Column(new TimestampType(unit, zone), values)));
    }

    /// <summary>The type's name in messages and sidecars.</summary>
    public static string Name(TimeUnit unit, string? zone) => $"timestamp[{unit}, {zone ?? "no zone"}]";

    private static long Fraction(TimeUnit unit, char kind)
    {
        var perSecond = PerSecond(unit);
        return kind switch
        {
            '9' => perSecond - 1,
            '1' => perSecond == 1 ? 0 : 1,
            't' => perSecond / 3,
            _ => 0,
        };
    }
}
