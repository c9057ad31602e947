using System.Diagnostics;
using System.Text.Json;
using Store.Actors.Tests.Crash;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;
using Xunit.Abstractions;

namespace Store.Actors.Tests;

/// <summary>
/// Producers that outrun the disk: the store's memory stays bounded by
/// <see cref="ActorStoreOptions.MaxBufferedBytes"/> (buffered plus in flight), producers wait
/// instead, in the order they called, and a cancelled wait sends nothing.
/// </summary>
public class OverloadTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>8 producers × 1 MiB rented frames with a 64 MiB limit, in a process of their own: its peak resident memory stays within 4 × the limit + 64 MiB.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public async Task PeakResidentMemory_ProducersOutrunningTheDisk_StaysWithinFourTimesTheLimitPlus64MiB(int inFlight)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { CrashWorkerProcess.WorkerDll("Store.Actors.OverloadWorker"), _temp.Path, inFlight.ToString(), "64", "64", "rent" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(process.ExitCode == 0, $"the overload worker failed:\n{await stderr}");
        var line = await stdout;
        output.WriteLine(line);
        var report = JsonDocument.Parse(line).RootElement;
        var (peak, bound) = (report.GetProperty("peakRssMiB").GetInt64(), report.GetProperty("boundMiB").GetInt64());
        Assert.Equal(512, report.GetProperty("framesMiB").GetInt64());
        Assert.True(peak <= bound, $"peak RSS {peak} MiB exceeds 4 × 64 + 64 = {bound} MiB");
    }

    [Fact]
    public async Task BufferedBytes_ManyAppendsInFlight_StayWithinTwiceTheLimit()
    {
        const long limit = 8L << 20;
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, MaxBufferedBytes = limit });
        var frame = TestArrays.Sequence(DType.Float64, 1, 256 * 256); // 512 KiB
        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, store.BufferedBytes);
                await Task.Yield();
            }
        });

        var appends = Enumerable.Range(0, 4).SelectMany(p => Enumerable.Range(0, 64).Select(_ => store.AppendAsync($"p{p}", frame))).ToList();
        await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(60));
        sampling.Cancel();
        await sampler;
        output.WriteLine($"peak {peak} bytes against a limit of {limit}");

        // Commands are admitted while buffered + in flight fit the limit; an applied command is counted
        // twice until its answer arrives (its payload and its copy both exist), so the count stays below 2 × the limit.
        Assert.True(peak <= 2 * limit, $"the store held {peak} bytes; its limit is {limit}");
        Assert.True(peak >= limit / 2, $"the test never filled the store ({peak} bytes)");
        Assert.Equal(new[] { 64L, 256 * 256 }, await store.ShapeAsync("p0"));
    }

    [Fact]
    public async Task Append_WaitingForRoom_KeepsEachCallersOrder()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, MaxBufferedBytes = 1L << 20, MaxPendingCommands = 3 });
        var calls = Enumerable.Range(0, 300).Select(i => store.AppendAsync("x", NdArray.From(Enumerable.Repeat((double)i, 16 * 1024).ToArray(), 1, 16 * 1024))).ToList();
        var ranges = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), ranges.Select(r => r.Start));
        var values = (await store.ReadAsync("x"))!.ToArray<double>();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (double)i), Enumerable.Range(0, 300).Select(i => values[i * 16 * 1024]));
    }

    [Fact]
    public async Task Append_CancelledWhileWaitingForRoom_IsNeverApplied()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, MaxBufferedBytes = 1L << 20 });

        // A rented frame as large as the limit holds all the room until it is given back.
        var holder = await store.RentAsync<double>(1, 128 * 1024);
        using var cancel = new CancellationTokenSource();
        var waiting = store.AppendAsync("x", NdArray.From(new double[1024], 1, 1024), cancellationToken: cancel.Token);
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        holder.Dispose();

        Assert.Equal(new IndexRange(0, 1), await store.AppendAsync("x", NdArray.From(new double[1024], 1, 1024)).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(new[] { 1L, 1024 }, await store.ShapeAsync("x"));
    }

    [Fact]
    public async Task RentedArray_Refused_GivesItsRoomBackAtOnce()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Npy, MaxBufferedBytes = 1L << 20 });
        await store.AppendAsync("x", NdArray.From(new double[4], 1, 4));

        // Half the room each: a second frame is rented only once the first one's bytes left the budget.
        for (var i = 0; i < 3; i++)
        {
            var frame = await store.RentAsync<double>(1, 64 * 1024).WaitAsync(TimeSpan.FromSeconds(10));
            var refused = await Assert.ThrowsAsync<ShapeException>(() => store.AppendAsync("x", frame));
            Assert.Contains("'x'", refused.Message);
        }

        Assert.Equal(32, store.BufferedBytes);
        Assert.Equal(new[] { 1L, 4 }, await store.ShapeAsync("x"));
    }

    [Fact]
    public async Task RentedArray_AppendedOnceFilled_ReadsBackAndCannotBeReused()
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = _temp.Path, DiskFormat = DiskFormat.Zarr });
        for (var i = 0; i < 5; i++)
        {
            var frame = await store.RentAsync<int>(2, 3);
            Assert.Equal(new int[6], frame.AsSpan<int>().ToArray()); // rented zeroed, also when reused
            frame.AsSpan<int>().Fill(i);
            Assert.Equal(new IndexRange(i * 2, 2), await store.AppendAsync("r", frame));
            Assert.Throws<ObjectDisposedException>(() => frame.AsSpan<int>());
            await Assert.ThrowsAsync<StoreException>(() => store.AppendAsync("r", frame));
        }

        var values = (await store.ReadAsync("r"))!.ToArray<int>();
        Assert.Equal(Enumerable.Range(0, 5).SelectMany(i => Enumerable.Repeat(i, 6)), values);
        Assert.Equal(0, store.BufferedBytes - (await store.ReadAsync("r"))!.Bytes.Length);
    }
}
