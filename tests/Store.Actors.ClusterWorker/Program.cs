// A store node of a cluster table store, until it is killed or its standard input closes:
//   Store.Actors.ClusterWorker <root> <journal-connection-string> <store-id> <port> <seed-port>
// Listens on 127.0.0.1:<port> with the role "store", joins the node at 127.0.0.1:<seed-port> (itself
// when the ports are equal), opens the table store <store-id> on the PostgreSQL journal and prints
// READY once the store is open. Closing standard input closes the store and leaves the cluster.
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Store.Actors;
using Store.Core;

var (root, journal, storeId, port, seedPort) = (args[0], args[1], args[2], int.Parse(args[3]), int.Parse(args[4]));
var options = new ActorStoreOptions
{
    Root = root, DiskFormat = DiskFormat.Parquet, Durability = Durability.Journal, JournalProvider = "PostgreSQL.15",
    JournalConnectionString = journal, StoreId = storeId, Cluster = new ClusterStoreOptions { NumberOfShards = 12 },
    FlushTimeout = TimeSpan.FromSeconds(30), AskTimeout = TimeSpan.FromSeconds(30), JournalTrimEvents = 20,
};
var config = ConfigurationFactory.ParseString(
    $$"""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = {{port}} }
    akka.cluster.roles = [store]
    akka.cluster.split-brain-resolver.stable-after = 3s
    akka.cluster.sharding.handoff-timeout = 40s
    akka.loglevel = WARNING
    """).WithFallback(StoreActorConfig.For(options));
var system = ActorSystem.Create("store", config);
await using var store = TableActorStore.Open(system, options);
Cluster.Get(system).Join(new Address("akka.tcp", "store", "127.0.0.1", seedPort));
Console.WriteLine("READY");
await Console.In.ReadToEndAsync();
await store.DisposeAsync();
await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
