using Apache.Arrow;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Tests;

/// <summary>
/// <see cref="Table.Compacted"/>: many small batches and slices of larger ones become one batch
/// holding exactly the rows (the same values, nulls included), and a tight single batch is kept.
/// </summary>
public class TableCompactedTests
{
    [Fact]
    public void ManyBatchesAndSlices_BecomeOneTightBatch_WithTheSameValues()
    {
        var parts = Enumerable.Range(0, 50).Select(i => TestTables.AllTypes(i * 4, 4)).ToList();
        var many = Table.FromBatches(parts[0].Schema, parts.SelectMany(p => p.Batches));
        var slice = many.Slice(37, 101);
        var compacted = slice.Compacted();

        var batch = Assert.Single(compacted.Batches);
        Assert.Equal(101, batch.Length);
        Assert.All(batch.Arrays, a => Assert.Equal(0, a.Offset));
        Assert.Equal(slice.Strings("s"), compacted.Strings("s"));
        Assert.Equal(slice.Values<long>("i64"), compacted.Values<long>("i64"));
        Assert.Equal(slice.Values<double>("f64"), compacted.Values<double>("f64"));
        Assert.True(((Int64Array)batch.Column(batch.Schema.GetFieldIndex("i64"))).ValueBuffer.Length <= 101 * 8 + 64);

        var tight = TestTables.AllTypes(0, 10);
        Assert.Same(tight, tight.Compacted());
        Assert.Equal(0, Table.Empty(tight.Schema).Compacted().RowCount);
    }
}
