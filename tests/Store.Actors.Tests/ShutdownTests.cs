using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Store.Actors.Tests.Crash;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// Actor stores nobody disposed are flushed by their actor system's coordinated shutdown when the
/// process is signalled (SIGTERM) or exits; what cannot be flushed is logged as a warning naming the
/// root and the bytes left. Each case runs tests/Store.Actors.ShutdownWorker in a process of its own.
/// </summary>
public class ShutdownTests : IDisposable
{
    private const int Rows = 20;
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Fact]
    public async Task Sigterm_UndisposedStoresWithTheirOwnSystems_FlushEveryAppendToFiles()
    {
        var output = await Worker("own", "none", "signal");

        AssertFlushed(output);
    }

    [Fact]
    public async Task ProcessExit_UndisposedStoresInAGivenSystem_FlushEveryAppendAndTrimTheJournal()
    {
        var output = await Worker("given", "journal", "exit");

        AssertFlushed(output);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_temp.Path, "arrays", ActorStoreOptions.DefaultJournalFile)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal WHERE deleted = 0 AND persistence_id LIKE 'store|%'";
        Assert.Equal(0L, (long)command.ExecuteScalar()!);
    }

    [Fact]
    public async Task Sigterm_UndisposedStoreThatCannotFlush_WarnsNamingItsRootAndUnflushedBytes()
    {
        var output = await Worker("unflushable", "journal", "signal");

        // 20 rows of two float64 are waiting for the array file; the table store flushed.
        var arrays = Path.Combine(_temp.Path, "arrays");
        Assert.Contains($"Actor store Array at {arrays} was not disposed and could not be flushed at shutdown: {Rows * 2 * sizeof(double)} bytes unflushed", output);
        Assert.Contains($"they are in the journal ({Path.Combine(arrays, ActorStoreOptions.DefaultJournalFile)})", output);
        Assert.DoesNotContain("Actor store Table", output);
        using (var tables = new TableStore(Path.Combine(_temp.Path, "tables"), "r", DiskFormat.Csv))
        {
            Assert.Equal(Rows, tables.Read("t")!.RowCount);
        }

        // As the warning says: once the folder is out of the way, opening the store replays the rows from the journal.
        Directory.Delete(Path.Combine(arrays, "x.npy"), recursive: true);
        await using var reopened = ArrayActorStore.Open(new ActorStoreOptions { Root = arrays, DiskFormat = DiskFormat.Npy, Durability = Durability.Journal });
        var values = await reopened.ReadAsync("x");
        Assert.Equal(Enumerable.Range(0, Rows).SelectMany(i => new[] { (double)i, i * 2.0 }), values!.ToArray<double>());
    }

    // Both stores hold every row the worker appended, in their files.
    private void AssertFlushed(string output)
    {
        using (var arrays = new ArrayStore(Path.Combine(_temp.Path, "arrays"), "r", DiskFormat.Npy))
        {
            var values = arrays.Read("x");
            Assert.True(values is not null, $"no array file after the shutdown:\n{output}");
            Assert.Equal(Enumerable.Range(0, Rows).SelectMany(i => new[] { (double)i, i * 2.0 }), values.ToArray<double>());
        }

        using var tables = new TableStore(Path.Combine(_temp.Path, "tables"), "r", DiskFormat.Csv);
        var table = tables.Read("t");
        Assert.True(table is not null, $"no table file after the shutdown:\n{output}");
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long?)i), table.Values<long>("n"));
    }

    // Runs the worker until it has appended (then signals it, for "signal") and it ended; returns what it printed.
    private async Task<string> Worker(string setup, string durability, string trigger)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { CrashWorkerProcess.WorkerDll("Store.Actors.ShutdownWorker"), _temp.Path, setup, durability, trigger, Rows.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var readyLine = process.StandardOutput.ReadLineAsync();
        var ready = await Task.WhenAny(readyLine, Task.Delay(TimeSpan.FromSeconds(60))) == readyLine ? await readyLine : "(nothing within 60 s)";
        if (ready?.StartsWith("READY", StringComparison.Ordinal) != true)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the worker did not get ready: {ready}\n{await stderr}");
        }

        if (trigger == "signal")
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]);
            await kill.WaitForExitAsync();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the worker did not end within 60 s of its {trigger}:\n{await stdout}{await stderr}");
        }

        return ready + "\n" + await stdout + await stderr;
    }
}
