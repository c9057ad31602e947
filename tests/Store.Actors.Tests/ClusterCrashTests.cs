using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Store.Actors.Tests.Crash;
using Store.Core;
using Store.Core.Tables;
using Store.Core.Tests;
using Store.Interop.Tests;
using Xunit.Abstractions;

namespace Store.Actors.Tests;

/// <summary>
/// Cluster mode with real processes: three store nodes (tests/Store.Actors.ClusterWorker) and a
/// client in the test process, on 127.0.0.1 with a PostgreSQL journal; four producers append with
/// ids and sequences (retrying what is not answered, with the same sequence) while the store node
/// holding the most paths is SIGKILLed — in one trial during a flush. Its paths restart on the
/// survivors; at the end every acknowledged append is in the files exactly once, at its range, as
/// the store and DuckDB read them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterCrashTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private const int Producers = 4;
    private const int PathsPerProducer = 2;
    private readonly TempFolder _temp = new();
    private readonly List<Process> _workers = [];

    public void Dispose()
    {
        foreach (var worker in _workers.Where(w => !w.HasExited))
        {
            worker.Kill(entireProcessTree: true);
            worker.WaitForExit(10_000);
        }

        _temp.Dispose();
    }


    private async Task StartWorker(string root, string journal, string storeId, int port, int seedPort)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { CrashWorkerProcess.WorkerDll("Store.Actors.ClusterWorker"), root, journal, storeId, port.ToString(), seedPort.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        var worker = Process.Start(start)!;
        _workers.Add(worker);
        _ = worker.StandardError.ReadToEndAsync();
        var ready = await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(ready == "READY", $"the cluster worker on port {port} said '{ready}' instead of READY");
        _ = worker.StandardOutput.ReadToEndAsync();
    }

    private static Table Rows(string producer, long sequence) => Table.FromColumns(
        ("producer", TableColumn.Of([producer, producer])),
        ("sequence", TableColumn.Of<long>([sequence, sequence])),
        ("part", TableColumn.Of<long>([0, 1])));

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public async Task StoreNodeProcess_SigkilledMidRun_LosesNoAcknowledgedAppendAndDuplicatesNone(int trial, bool duringFlush)
    {
        var root = _temp.Sub("shared");
        Directory.CreateDirectory(root);
        var journal = postgres.Server.CreateDatabase("crash");
        var storeId = $"crash-{trial}";
        var ports = Enumerable.Range(0, 3).Select(_ => PostgresServer.FreePort()).ToArray();
        for (var n = 0; n < 3; n++)
        {
            var link = _temp.Sub($"node-{n}");
            File.CreateSymbolicLink(link, root);
            await StartWorker(link, journal, storeId, ports[n], ports[0]);
        }

        var options = new ActorStoreOptions
        {
            Root = root, DiskFormat = DiskFormat.Parquet, Durability = Durability.Journal, JournalProvider = "PostgreSQL.15",
            JournalConnectionString = journal, StoreId = storeId, Cluster = new ClusterStoreOptions { NumberOfShards = 12 },
            FlushTimeout = TimeSpan.FromSeconds(30), AskTimeout = TimeSpan.FromSeconds(10),
        };
        var config = ConfigurationFactory.ParseString(
            """
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.cluster.roles = [client]
            akka.cluster.split-brain-resolver.stable-after = 3s
            akka.loglevel = ERROR
            """).WithFallback(StoreActorConfig.For(options));
        var system = ActorSystem.Create("store", config);
        try
        {
            await using var client = TableActorStore.Open(system, options);
            Cluster.Get(system).Join(new Address("akka.tcp", "store", "127.0.0.1", ports[0]));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up) < 4)
            {
                Assert.True(DateTime.UtcNow < deadline, "the cluster did not form within 60 s");
                await Task.Delay(100);
            }

            var acks = new ConcurrentDictionary<(string Producer, long Sequence), (string Path, IndexRange Range)>();
            using var stop = new CancellationTokenSource();
            var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
            {
                var id = $"p{p}";
                for (long sequence = 0; !stop.IsCancellationRequested; sequence++)
                {
                    var path = $"runs/{id}-{sequence % PathsPerProducer}";
                    for (var attempt = 0; ; attempt++)
                    {
                        try
                        {
                            acks[(id, sequence)] = (path, await client.AppendAsync(path, Rows(id, sequence), id, sequence));
                            break;
                        }
                        catch (StoreException) when (attempt < 30)
                        {
                            await Task.Delay(500); // not answered (its node died) or refused meanwhile: the same sequence again
                        }
                    }
                }
            })).ToList();

            while (acks.Count < 150)
            {
                await Task.Delay(20);
            }

            // The victim: the store node (not the first, which runs the shard coordinator) holding the most paths.
            var held = new int[3];
            for (var n = 1; n < 3; n++)
            {
                var region = await system.ActorSelection($"akka.tcp://store@127.0.0.1:{ports[n]}/system/sharding/store-table-{storeId}").ResolveOne(TimeSpan.FromSeconds(10));
                held[n] = (await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10))).Shards.Sum(s => s.EntityIds.Count);
            }

            var victim = held[1] >= held[2] ? 1 : 2;
            Task? flush = null;
            if (duringFlush)
            {
                flush = client.FlushAsync();
                await Task.Delay(15);
            }

            var before = acks.Count;
            _workers[victim].Kill(entireProcessTree: true); // SIGKILL: no flush, no handover
            output.WriteLine($"trial {trial}: SIGKILLed node {victim + 1} holding {held[victim]} of {Producers * PathsPerProducer} paths after {before} acknowledged appends{(duringFlush ? ", during a flush" : "")}");
            if (flush is not null)
            {
                try
                {
                    await flush;
                }
                catch (StoreException e)
                {
                    output.WriteLine($"the flush the kill interrupted reported: {e.Message}"); // a node that did not answer is named, never a silent success
                }
            }

            while (acks.Count < before + 150)
            {
                Assert.True(producers.All(t => !t.IsFaulted), "a producer gave up");
                await Task.Delay(50);
            }

            await stop.CancelAsync();
            await Task.WhenAll(producers);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    Assert.True((await client.FlushAsync()).Succeeded);
                    break;
                }
                catch (StoreException) when (attempt < 20)
                {
                    await Task.Delay(1000); // the cluster may still be removing the dead node
                }
            }

            // Every acknowledged append once, at its range; nothing else.
            using var reader = new TableStore(root, "r");
            var rows = 0L;
            foreach (var path in acks.Values.Select(a => a.Path).Distinct())
            {
                var table = reader.Read(path)!;
                rows += table.RowCount;
                var (names, sequences) = (table.Strings("producer"), table.Values<long>("sequence"));
                var seen = Enumerable.Range(0, (int)table.RowCount).Select(r => (names[r]!, sequences[r]!.Value)).ToList();
                Assert.True(seen.Count == seen.Distinct().Count() * 2, $"{path}: some append is in the files twice");
                Assert.Equal(table.RowCount, TableFiles.Read(Path.Combine(root, path + ".parquet"), "parquet").Rows.Count); // DuckDB reads the same
                foreach (var ((producer, sequence), (_, range)) in acks.Where(a => a.Value.Path == path))
                {
                    Assert.Equal(2, range.Count);
                    Assert.Equal((producer, sequence), seen[(int)range.Start]);
                    Assert.Equal((producer, sequence), seen[(int)range.Start + 1]);
                }
            }

            Assert.Equal(acks.Count * 2L, rows);
            output.WriteLine($"trial {trial}: {acks.Count} acknowledged, {acks.Count} present once at their ranges, 0 lost, 0 duplicated; {rows} rows");
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
