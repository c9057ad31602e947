// Appends to a durable actor store until it is killed, printing every acknowledgement:
//   ACK <kind> <producer> <sequence> <start>   after an append was acknowledged (journaled)
//   FLUSHING / FLUSHED                        around each flush
// Usage: Store.Actors.CrashWorker <root> <npy|zarr> <run> <appends-per-flush>
// Array frames are int64 (1, 4): [run, producer, sequence, start-check]; table rows carry the same keys.
using Apache.Arrow;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Table = Store.Core.Tables.Table;

var root = args[0];
var format = args[1] == "zarr" ? DiskFormat.Zarr : DiskFormat.Npy;
var run = long.Parse(args[2]);
var appendsPerFlush = int.Parse(args[3]);
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
var gate = new object();

await using var arrays = ArrayActorStore.Open(new ActorStoreOptions
{
    Root = Path.Combine(root, "arrays"), DiskFormat = format, Durability = Durability.Journal,
});
await using var tables = TableActorStore.Open(new ActorStoreOptions
{
    Root = Path.Combine(root, "tables"), DiskFormat = DiskFormat.Parquet, Durability = Durability.Journal,
});

void Say(string line)
{
    lock (gate)
    {
        output.WriteLine(line);
    }
}

var producers = Enumerable.Range(0, 4).Select(producer => Task.Run(async () =>
{
    var id = $"run{run}-p{producer}";
    for (long sequence = 0; ; sequence++)
    {
        var frame = NdArray.From(new[] { run, producer, sequence, run * 1_000_000 + sequence }, 1, 4);
        var range = await arrays.AppendAsync("frames", frame, id, sequence);
        Say($"ACK array {id} {sequence} {range.Start}");
        var row = Table.FromColumns(
            ("producer", new StringArray.Builder().Append(id).Build()),
            ("sequence", new Int64Array.Builder().Append(sequence).Build()));
        var rows = await tables.AppendAsync("events", row, id, sequence);
        Say($"ACK table {id} {sequence} {rows.Start}");
        if (producer == 0 && sequence % appendsPerFlush == appendsPerFlush - 1)
        {
            Say("FLUSHING");
            await Task.WhenAll(arrays.FlushAsync(), tables.FlushAsync());
            Say("FLUSHED");
        }
    }
})).ToArray();

await Task.WhenAll(producers);
