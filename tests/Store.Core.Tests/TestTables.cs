using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>Builders of deterministic test tables (shared with the interop tests).</summary>
public static class TestTables
{
    /// <summary>Rows start…start+count of a table with one column of every supported type; every fourth row is null; strings include empty and non-ASCII values.</summary>
    public static Table AllTypes(int start, int count)
    {
        var rows = Enumerable.Range(start, count).ToArray();
        T? Maybe<T>(int i, T value) where T : struct => i % 4 == 3 ? null : value;
        return Table.FromColumns(
            ("s", TableColumn.Of([.. rows.Select(i => i % 4 == 3 ? null : i % 5 == 1 ? $"ré{i}·名" : i % 7 == 0 ? "" : $"row{i}")])),
            ("b", TableColumn.Of<bool>([.. rows.Select(i => Maybe(i, i % 2 == 0))])),
            ("i8", TableColumn.Of<sbyte>([.. rows.Select(i => Maybe(i, (sbyte)(i - 50)))])),
            ("i16", TableColumn.Of<short>([.. rows.Select(i => Maybe(i, (short)(i * -300)))])),
            ("i32", TableColumn.Of<int>([.. rows.Select(i => Maybe(i, i * 70_000))])),
            ("i64", TableColumn.Of<long>([.. rows.Select(i => Maybe(i, i * 5_000_000_000L))])),
            ("u8", TableColumn.Of<byte>([.. rows.Select(i => Maybe(i, (byte)i))])),
            ("u16", TableColumn.Of<ushort>([.. rows.Select(i => Maybe(i, (ushort)(i * 600)))])),
            ("u32", TableColumn.Of<uint>([.. rows.Select(i => Maybe(i, (uint)i * 40_000_000u))])),
            ("u64", TableColumn.Of<ulong>([.. rows.Select(i => Maybe(i, ulong.MaxValue - (ulong)i))])),
            ("f32", TableColumn.Of<float>([.. rows.Select(i => Maybe(i, i / 3f))])),
            ("f64", TableColumn.Of<double>([.. rows.Select(i => Maybe(i, i / 7.0))])),
            ("t", TableColumn.Of<DateTime>([.. rows.Select(i => Maybe(i, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 1.5)))])));
    }
}
