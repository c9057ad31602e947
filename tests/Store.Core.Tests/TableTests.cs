using Store.Core.Tables;

namespace Store.Core.Tests;

public class TableTests
{
    [Trait("TimeZone", "any")]
    [Fact]
    public void FromColumns_EveryColumnType_ReadsBackWithNulls()
    {
        var when = new DateTime(2026, 11, 24, 12, 30, 0, DateTimeKind.Utc);
        var table = Table.FromColumns(
            ("s", TableColumn.Of(["a", null])),
            ("b", TableColumn.Of<bool>([true, null])),
            ("i8", TableColumn.Of<sbyte>([(sbyte)-8, null])),
            ("i16", TableColumn.Of<short>([(short)-16, null])),
            ("i32", TableColumn.Of<int>([-32, null])),
            ("i64", TableColumn.Of<long>([-64L, null])),
            ("u8", TableColumn.Of<byte>([(byte)8, null])),
            ("u16", TableColumn.Of<ushort>([(ushort)16, null])),
            ("u32", TableColumn.Of<uint>([32u, null])),
            ("u64", TableColumn.Of<ulong>([ulong.MaxValue, null])),
            ("f32", TableColumn.Of<float>([1.5f, null])),
            ("f64", TableColumn.Of<double>([2.25, null])),
            ("t", TableColumn.Of<DateTime>([when, null])));
        Assert.Equal(2, table.RowCount);
        Assert.Equal(new string?[] { "a", null }, table.Strings("s"));
        Assert.Equal([true, null], table.Values<bool>("b"));
        Assert.Equal([(sbyte)-8, null], table.Values<sbyte>("i8"));
        Assert.Equal([ulong.MaxValue, null], table.Values<ulong>("u64"));
        Assert.Equal([2.25, null], table.Values<double>("f64"));
        Assert.Equal([when, null], table.Values<DateTime>("t"));
        Assert.All(table.Schema.FieldsList, f => Assert.True(f.IsNullable));
    }

    [Fact]
    public void FromColumns_RaggedColumns_ThrowsNamingLengths()
    {
        var error = Assert.Throws<SchemaException>(() => Table.FromColumns(("a", TableColumn.Of<int>([1, 2])), ("b", TableColumn.Of<int>([1]))));
        Assert.Contains("'a' has 2 rows", error.Message);
        Assert.Contains("'b' has 1 rows", error.Message);
        Assert.Throws<SchemaException>(() => Table.FromColumns(("a", TableColumn.Of<int>([1])), ("a", TableColumn.Of<int>([2]))));
        Assert.Throws<SchemaException>(() => Table.FromColumns());
    }

    [Fact]
    public void SliceAndSelect_AcrossBatches_ShareBuffersAndKeepOrder()
    {
        var first = Table.FromColumns(("x", TableColumn.Of<long>([0L, 1, 2])), ("y", TableColumn.Of(["a", "b", "c"])));
        var second = Table.FromColumns(("x", TableColumn.Of<long>([3L, 4])), ("y", TableColumn.Of(["d", "e"])));
        var table = first.Concat(second);
        Assert.Equal(2, table.Batches.Count);
        var slice = table.Slice(2, 2);
        Assert.Equal([2L, 3L], slice.Values<long>("x"));
        Assert.Equal(["y"], slice.Select(["y"]).ColumnNames);
        Assert.Equal(new string?[] { "c", "d" }, slice.Select(["y"]).Strings("y"));
        Assert.Throws<SchemaException>(() => table.Slice(4, 2));
        Assert.Throws<SchemaException>(() => table.Select(["nope"]));
    }

    [Fact]
    public void Where_MaskAcrossBatches_KeepsFlaggedRowsWithNulls()
    {
        var first = Table.FromColumns(("x", TableColumn.Of<int>([10, null, 30])), ("s", TableColumn.Of(["a", "b", null])));
        var second = Table.FromColumns(("x", TableColumn.Of<int>([40, 50])), ("s", TableColumn.Of(["d", "e"])));
        var kept = first.Concat(second).Where([false, true, true, true, true]);
        Assert.Equal([null, 30, 40, 50], kept.Values<int>("x"));
        Assert.Equal(new string?[] { "b", null, "d", "e" }, kept.Strings("s"));
        Assert.Equal(2, kept.Batches.Count);
        Assert.Same(second.Batches[0], kept.Batches[1]);
        Assert.Same(second.Batches[0], first.Concat(second).Where([false, false, false, true, true]).Batches.Single());
        Assert.Equal(0, first.Where([false, false, false]).RowCount);
    }

    [Theory]
    [InlineData(long.MaxValue, 10)]
    [InlineData(2, long.MaxValue)]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(long.MinValue, 1)]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    [InlineData(0, long.MinValue)]
    [InlineData(6, 0)]
    [InlineData(4, 2)]
    public void Slice_RangeOutsideTheTable_ThrowsSchemaException(long start, long count)
    {
        var table = Table.FromColumns(("x", TableColumn.Of<long>([0L, 1, 2]))).Concat(Table.FromColumns(("x", TableColumn.Of<long>([3L, 4]))));
        var error = Assert.Throws<SchemaException>(() => table.Slice(start, count));
        Assert.Contains("5 rows", error.Message);
        Assert.Contains(start.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Theory]
    [InlineData(5, 0, new long[0])]
    [InlineData(0, 0, new long[0])]
    [InlineData(0, 5, new long[] { 0, 1, 2, 3, 4 })]
    [InlineData(4, 1, new long[] { 4 })]
    public void Slice_RangeUpToTheEnd_HasItsRows(long start, long count, long[] rows)
    {
        var table = Table.FromColumns(("x", TableColumn.Of<long>([0L, 1, 2]))).Concat(Table.FromColumns(("x", TableColumn.Of<long>([3L, 4]))));
        Assert.Equal(rows, table.Slice(start, count).Values<long>("x").Select(v => v!.Value));
    }
}
