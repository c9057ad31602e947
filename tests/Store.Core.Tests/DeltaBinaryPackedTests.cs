using Store.Core.Formats.Parquet.Workarounds;

namespace Store.Core.Tests;

/// <summary>
/// The DELTA_BINARY_PACKED decoder against the worked examples of parquet-format's Encodings.md, the
/// wrapping arithmetic it asks for, and data that ends early.
/// </summary>
public class DeltaBinaryPackedTests
{
    // Encodings.md, example 1: 1, 2, 3, 4, 5. Header: block size 8, 1 miniblock, 5 values, first value 1
    // (zigzag 2); one block: min delta 1 (zigzag 2), bit width 0, no data.
    private static readonly byte[] Example1 = [8, 1, 5, 2, 2, 0];

    // Example 2: 7, 5, 3, 1, 2, 3, 4, 5. Deltas -2, -2, -2, 1, 1, 1, 1; min delta -2 (zigzag 3); relative
    // deltas 0, 0, 0, 3, 3, 3, 3 at bit width 2, packed least significant bit first: 0xC0, 0x3F.
    private static readonly byte[] Example2 = [8, 1, 8, 14, 3, 2, 0xC0, 0x3F];

    [Fact]
    public void Decode_SpecificationExample1_GivesItsValues()
    {
        var values = new long[5];
        Assert.Equal(Example1.Length, DeltaBinaryPacked.Decode(Example1, values));
        Assert.Equal([1L, 2, 3, 4, 5], values);
    }

    [Fact]
    public void Decode_SpecificationExample2_GivesItsValues()
    {
        var values = new long[8];
        Assert.Equal(Example2.Length, DeltaBinaryPacked.Decode(Example2, values));
        Assert.Equal([7L, 5, 3, 1, 2, 3, 4, 5], values);
    }

    [Fact]
    public void Decode_DeltaPastTheInt64Range_Wraps()
    {
        // long.MaxValue then long.MinValue: the delta, +1, wraps; min delta 1 (zigzag 2), bit width 0.
        byte[] data = [8, 1, 2, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 2, 0];
        var values = new long[2];
        DeltaBinaryPacked.Decode(data, values);
        Assert.Equal([long.MaxValue, long.MinValue], values);
    }

    [Theory]
    [InlineData(7)] // a miniblock cut short
    [InlineData(5)] // no bit widths
    [InlineData(3)] // no first value
    public void Decode_DataEndingEarly_IsAFormatException(int length)
    {
        Assert.Throws<FormatException>(() => DeltaBinaryPacked.Decode(Example2.AsSpan(0, length), new long[8]));
    }

    [Fact]
    public void Decode_ValueCountOtherThanThePagesNonNullValues_IsAFormatException()
    {
        var error = Assert.Throws<FormatException>(() => DeltaBinaryPacked.Decode(Example1, new long[4]));
        Assert.Contains("5 values in the delta header; the page holds 4", error.Message);
    }
}
