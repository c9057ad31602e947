namespace Store.Core.Tables;

/// <summary>A timestamp read from text, before it is put in a unit: whole seconds since 1970 (UTC when an offset was given), the nanoseconds after them, and what the text held.</summary>
/// <param name="Seconds">Whole seconds since 1970-01-01 00:00:00, rounded toward negative infinity (wider than a long: years of up to 12 digits are read).</param>
/// <param name="Nanos">Nanoseconds past <paramref name="Seconds"/>, 0 to 999,999,999.</param>
/// <param name="FractionDigits">How many fractional digits the text had (0 to 9).</param>
/// <param name="HasOffset">Whether the text ended in <c>Z</c> or a UTC offset.</param>
internal readonly record struct TimestampText(Int128 Seconds, long Nanos, int FractionDigits, bool HasOffset);
