// Appends to an array store at <root>/arrays and a table store at <root>/tables, flushes some of it,
// appends more, and exits without disposing either: the store warns on standard error, naming each
// root and the bytes that were never flushed.
// Usage: Store.Core.UndisposedWorker <root>
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;

var root = args[0];
var arrays = new ArrayStore(Path.Combine(root, "arrays"), "w", DiskFormat.Npy);
arrays.Append("x", NdArray.From(new double[100], 10, 10));
arrays.Flush();
arrays.Append("x", NdArray.From(new double[30], 3, 10));
var tables = new TableStore(Path.Combine(root, "tables"), "w", DiskFormat.Parquet);
tables.Append("t", Table.FromColumns(("v", TableColumn.Of<long>([1L, 2L, 3L]))));
Console.WriteLine($"UNFLUSHED {arrays.UnflushedBytes} {tables.UnflushedBytes}");
GC.KeepAlive(arrays);
GC.KeepAlive(tables);
