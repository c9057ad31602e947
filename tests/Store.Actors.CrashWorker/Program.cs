// Appends to a journaled actor store until it is killed (or has had enough), printing every acknowledgement:
//   ACK <producer> <sequence> <start> <count>   once an append is acknowledged (journaled)
//   FLUSHING / FLUSHED                          around each flush
//   DONE                                        after <max-acks> acknowledgements; the store then closes cleanly
// Usage: Store.Actors.CrashWorker <root> <format> <run> <appends-per-flush> <max-acks>   (formats: CrashFormat.All)
// Four producers append batches of 1-3 array rows or 1-5 table rows. Array rows are int64 [run, producer, sequence, part];
// table rows have the columns run (int64), producer (utf8), sequence (int64), part (int32).
// STORE_CRASH_POINT=<point>[#n] makes the process kill itself at the n-th hit of a named step (see Store.Core.Storage.CrashPoint).
// STORE_CRASH_JOURNAL_PROVIDER, _CONNECTION and STORE_CRASH_STORE_ID put the journal on a server database (see ServerJournal).
using Apache.Arrow;
using Store.Actors;
using Store.Actors.CrashWorker;
using Store.Core.Arrays;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

var (root, format, run, appendsPerFlush, maxAcks) = (args[0], args[1], long.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]));
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
var gate = new object();
var acks = 0;
var done = new CancellationTokenSource();

void Say(string line)
{
    lock (gate)
    {
        output.WriteLine(line);
    }
}

var options = CrashFormat.Options(root, format, ServerJournal.FromEnvironment());
await using ActorStore store = CrashFormat.IsArray(format) ? ArrayActorStore.Open(options) : TableActorStore.Open(options);

Task<Store.Core.IndexRange> Append(int producer, long sequence)
{
    var id = $"r{run}p{producer}";
    if (store is ArrayActorStore arrays)
    {
        var rows = 1 + (int)(sequence % 3);
        var values = new long[rows * 4];
        for (var part = 0; part < rows; part++)
        {
            values[part * 4] = run;
            values[(part * 4) + 1] = producer;
            values[(part * 4) + 2] = sequence;
            values[(part * 4) + 3] = part;
        }

        return arrays.AppendAsync(CrashFormat.Entry, NdArray.From(values, rows, 4), id, sequence);
    }

    var count = 1 + (int)(sequence % 5);
    var table = Table.FromColumns(
        ("run", TableColumn.Of<long>([.. Enumerable.Repeat<long?>(run, count)])),
        ("producer", TableColumn.Of([.. Enumerable.Repeat<string?>(id, count)])),
        ("sequence", TableColumn.Of<long>([.. Enumerable.Repeat<long?>(sequence, count)])),
        ("part", TableColumn.Of<int>([.. Enumerable.Range(0, count).Select(p => (int?)p)])));
    return ((TableActorStore)store).AppendAsync(CrashFormat.Entry, table, id, sequence);
}

var producers = Enumerable.Range(0, 4).Select(producer => Task.Run(async () =>
{
    for (long sequence = 0; !done.IsCancellationRequested; sequence++)
    {
        var range = await Append(producer, sequence);
        Say($"ACK r{run}p{producer} {sequence} {range.Start} {range.Count}");
        if (Interlocked.Increment(ref acks) >= maxAcks)
        {
            done.Cancel();
        }

        if (producer == 0 && sequence % appendsPerFlush == appendsPerFlush - 1)
        {
            Say("FLUSHING");
            await store.FlushAsync();
            Say("FLUSHED");
        }
    }
})).ToArray();

await Task.WhenAll(producers);
Say("DONE");
