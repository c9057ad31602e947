// Appends to an array store (NPY) and a table store (CSV) and never disposes them, so only the actor
// systems' coordinated shutdown can flush them:
//   Store.Actors.ShutdownWorker <root> <own|given|unflushable> <none|journal> <signal|exit> <rows>
// own: each store runs in an actor system of its own (Open(options)); given: both run in one system the
// program creates (Open(system, options)); unflushable: as own, but a folder then sits where the array's
// file goes, so its flush fails. signal: prints READY once every append is acknowledged and ends when
// its actor systems do (SIGTERM runs their coordinated shutdown); exit: returns from Main at once (the
// process exit runs it).
using Akka.Actor;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;

var (root, setup, durability, trigger, rows) = (args[0], args[1], args[2], args[3], int.Parse(args[4]));
ActorStoreOptions Options(string sub, DiskFormat format) => new()
{
    Root = Path.Combine(root, sub),
    DiskFormat = format,
    Mode = "w",
    Durability = durability == "journal" ? Durability.Journal : Durability.None,
};

var arrayOptions = Options("arrays", DiskFormat.Npy);
var tableOptions = Options("tables", DiskFormat.Csv);
ArrayActorStore arrays;
TableActorStore tables;
if (setup == "given")
{
    // One system, so one journal database: the table store journals into the array store's file.
    var system = ActorSystem.Create("given", StoreActorConfig.For(arrayOptions));
    arrays = ArrayActorStore.Open(system, arrayOptions);
    tables = TableActorStore.Open(system, tableOptions with
    {
        JournalConnectionString = StoreActorConfig.IsJournaled(arrayOptions) ? StoreActorConfig.JournalConnectionString(arrayOptions) : null,
    });
}
else
{
    arrays = ArrayActorStore.Open(arrayOptions);
    tables = TableActorStore.Open(tableOptions);
}

for (var i = 0; i < rows; i++)
{
    await arrays.AppendAsync("x", NdArray.From(new[] { (double)i, i * 2.0 }, 1, 2));
    await tables.AppendAsync("t", Table.FromColumns(("n", TableColumn.Of<long>([i]))));
}

if (setup == "unflushable")
{
    Directory.CreateDirectory(Path.Combine(arrayOptions.Root, "x.npy", "in-the-way"));
}

Console.WriteLine($"READY {arrays.BufferedBytes} {tables.BufferedBytes}");
if (trigger == "signal")
{
    // As an actor program does: it ends when its actor systems do.
    await Task.WhenAll(arrays.System.WhenTerminated, tables.System.WhenTerminated);
}
