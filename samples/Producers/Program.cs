// Message-driven producers: actors append rows to one table through the store's coordinator, each
// with a producer id and sequence numbers, and retry whatever is not acknowledged in time. They
// "lose" a share of the acknowledgements on purpose, so many appends are sent twice; the store
// applies each once. Prints the counts and checks the table: every (producer, sequence) exactly once.
//   dotnet run --project samples/Producers -- --out /tmp/producers [--producers 4] [--appends 500] [--loss 0.2] [--durable]
using System.CommandLine;
using Akka.Actor;
using Producers;
using Store.Actors;
using Store.Core;

var output = new Option<DirectoryInfo>("--out") { Description = "Where the events table goes (Parquet).", Required = true };
var producers = new Option<int>("--producers") { Description = "Producer actors.", DefaultValueFactory = _ => 4 };
var appends = new Option<int>("--appends") { Description = "Appends per producer.", DefaultValueFactory = _ => 500 };
var loss = new Option<double>("--loss") { Description = "Share of acknowledgements the producers pretend to lose (0 to 0.9).", DefaultValueFactory = _ => 0.2 };
var durable = new Option<bool>("--durable") { Description = "Journal every append before it is acknowledged." };
var command = new RootCommand("Producer actors appending with retries and no duplicates.") { output, producers, appends, loss, durable };
loss.Validators.Add(result =>
{
    if (result.GetValueOrDefault<double>() is < 0 or > 0.9)
    {
        result.AddError($"--loss must be between 0 and 0.9; found {result.GetValueOrDefault<double>()}.");
    }
});
command.SetAction(async parse =>
{
    var root = Path.Combine(parse.GetValue(output)!.FullName, "tables");
    var (count, each) = (parse.GetValue(producers), parse.GetValue(appends));
    await using var store = TableActorStore.Open(new ActorStoreOptions
    {
        Root = root, Mode = "w", DiskFormat = DiskFormat.Parquet,
        Durability = parse.GetValue(durable) ? Durability.Journal : Durability.None,
    });

    var finished = new TaskCompletionSource<List<ProducerActor.Done>>();
    var report = store.System.ActorOf(Props.Create(() => new Collector(count, finished)));
    for (var p = 0; p < count; p++)
    {
        store.System.ActorOf(ProducerActor.Props(store.Coordinator, $"producer-{p}", each, parse.GetValue(loss), p, report), $"producer-{p}");
    }

    var done = await finished.Task.WaitAsync(TimeSpan.FromMinutes(5));
    await store.FlushAsync();
    var events = (await store.ReadAsync("events"))!;
    var keys = events.Strings("producer").Zip(events.Values<long>("sequence")).ToList();
    var duplicates = keys.Count - keys.Distinct().Count();
    var missing = (long)count * each - keys.Distinct().Count();
    Console.WriteLine($"{count} producers × {each} appends: {events.RowCount} rows in {Path.Combine(root, "events.parquet")}, " +
                      $"{done.Sum(d => d.Retries)} retried sends, {duplicates} duplicates, {missing} missing");
    return duplicates == 0 && missing == 0 ? 0 : 1;
});
return await command.Parse(args).InvokeAsync();

/// <summary>Completes when every producer reported <see cref="ProducerActor.Done"/>.</summary>
internal sealed class Collector : ReceiveActor
{
    public Collector(int expected, TaskCompletionSource<List<ProducerActor.Done>> finished)
    {
        var done = new List<ProducerActor.Done>();
        Receive<ProducerActor.Done>(d =>
        {
            done.Add(d);
            if (done.Count == expected)
            {
                finished.TrySetResult(done);
            }
        });
    }
}
