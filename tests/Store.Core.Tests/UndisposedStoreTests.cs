using System.Diagnostics;
using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>A writable store left undisposed with unflushed changes says so, naming its root and the bytes, when its process exits or it is collected.</summary>
public class UndisposedStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ProcessExit_WithUndisposedStoresHoldingChanges_WarnsNamingEachRootAndTheBytes()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(WorkerDll());
        start.ArgumentList.Add(_temp.Path);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, process.ExitCode);

        var unflushed = (await stdout).Split(' ');
        Assert.Equal("UNFLUSHED", unflushed[0]);
        Assert.Equal("240", unflushed[1]); // 3 rows × 10 float64: the 10 flushed rows are not counted
        var warnings = await stderr;
        Assert.Contains($"the array store at '{_temp.Sub("arrays")}' holds 240 bytes not flushed to disk, and the process exited before it was disposed", warnings);
        Assert.Contains($"the table store at '{_temp.Sub("tables")}' holds {unflushed[2].Trim()} bytes not flushed to disk", warnings);
    }

    [Fact]
    public void Collected_WithUnflushedChanges_WarnsNamingTheRoot()
    {
        var warnings = new List<string>();
        var previous = DataStore.Warning;
        DataStore.Warning = message =>
        {
            lock (warnings)
            {
                warnings.Add(message);
            }
        };
        try
        {
            Abandon(_temp.Sub("dropped"), flush: false);
            Abandon(_temp.Sub("flushed"), flush: true);
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        finally
        {
            DataStore.Warning = previous;
        }

        lock (warnings)
        {
            Assert.Contains(warnings, w => w.Contains($"'{_temp.Sub("dropped")}' holds 8 bytes", StringComparison.Ordinal) && w.Contains("went out of scope", StringComparison.Ordinal));
            Assert.DoesNotContain(warnings, w => w.Contains(_temp.Sub("flushed"), StringComparison.Ordinal));
        }

        // The collected store's lock went with it: the root opens for writing again.
        using var reopened = new ArrayStore(_temp.Sub("dropped"), "a");
        Assert.Empty(reopened.Available());
    }

    [Fact]
    public void Dispose_WithChanges_FlushesAndDoesNotWarn()
    {
        var warnings = new List<string>();
        var previous = DataStore.Warning;
        DataStore.Warning = warnings.Add;
        try
        {
            using (var store = new ArrayStore(_temp.Path, "w", DiskFormat.Npy))
            {
                store.Append("x", NdArray.From(new[] { 1.0 }));
                Assert.Equal(8, store.UnflushedBytes);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        finally
        {
            DataStore.Warning = previous;
        }

        Assert.DoesNotContain(warnings, w => w.Contains(_temp.Path, StringComparison.Ordinal));
    }

    // Opens a store, appends, maybe flushes, and drops it without disposing.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Abandon(string root, bool flush)
    {
        var store = new ArrayStore(root, "w", DiskFormat.Npy);
        store.Append("x", NdArray.From(new[] { 1.0 }));
        if (flush)
        {
            store.Flush();
        }
    }

    private static string WorkerDll()
    {
        // tests/Store.Core.UndisposedWorker/bin/<configuration>/<tfm>/, as this project's own output.
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var dll = Path.Combine(output.Parent!.Parent!.Parent!.Parent!.FullName, "Store.Core.UndisposedWorker", "bin", output.Parent.Name, output.Name, "Store.Core.UndisposedWorker.dll");
        Assert.True(File.Exists(dll), $"the worker is not built at {dll}");
        return dll;
    }
}
