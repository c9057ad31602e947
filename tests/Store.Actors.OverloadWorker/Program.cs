// Eight producers append 1 MiB frames (float32, 1 × 512 × 512) as fast as they can, each to its own
// NPY array, through an actor store whose MaxBufferedBytes is small, so the disk cannot keep up and
// the store must hold producers back. Prints one JSON line: peak resident memory (VmHWM), peak managed
// heap, the limit, what was written and how long it took.
// Usage: Store.Actors.OverloadWorker <root> <appends-in-flight-per-producer> <frames-per-producer> <max-buffered-mib> <rent|new>
//   rent: each frame is rented from the store (RentAsync), filled and handed to AppendAsync;
//   new:  each frame is a new NdArray made from the producer's buffer (NdArray.From), as simple code does.
using System.Diagnostics;
using System.Text.Json;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;

var (root, inFlight, framesPerProducer, limitMiB, rent) = (args[0], int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), args[4] == "rent");
const int Producers = 8;
const int FrameFloats = 512 * 512;

var started = Stopwatch.StartNew();
long managedPeak = 0;
using var sampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    while (!sampling.IsCancellationRequested)
    {
        managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(false));
        await Task.Delay(5);
    }
});

await using (var store = ArrayActorStore.Open(new ActorStoreOptions
{
    Root = root, DiskFormat = DiskFormat.Npy, MaxBufferedBytes = (long)limitMiB << 20,
}))
{
    await Task.WhenAll(Enumerable.Range(0, Producers).Select(producer => Task.Run(async () =>
    {
        // A simulation's own buffer, refilled for every frame; each append hands the store a frame made from it.
        var coordinates = new float[FrameFloats];
        var pending = new Queue<Task>();
        for (var frame = 0; frame < framesPerProducer; frame++)
        {
            Array.Fill(coordinates, producer * 1000 + frame);
            if (rent)
            {
                var rented = await store.RentAsync<float>(1, 512, 512);
                coordinates.CopyTo(rented.AsSpan<float>());
                pending.Enqueue(store.AppendAsync($"p{producer}", rented));
            }
            else
            {
                pending.Enqueue(store.AppendAsync($"p{producer}", NdArray.From(coordinates, 1, 512, 512)));
            }

            if (pending.Count >= inFlight)
            {
                await pending.Dequeue();
            }
        }

        while (pending.Count > 0)
        {
            await pending.Dequeue();
        }
    })));
}

sampling.Cancel();
await sampler;
Console.WriteLine(JsonSerializer.Serialize(new
{
    peakRssMiB = PeakRss() / (1 << 20),
    managedPeakMiB = managedPeak / (1 << 20),
    limitMiB,
    boundMiB = 4 * limitMiB + 64,
    producers = Producers,
    frames = rent ? "rented" : "new NdArray per append",
    inFlight,
    framesMiB = Producers * framesPerProducer,
    seconds = Math.Round(started.Elapsed.TotalSeconds, 2),
}));

// The process's high-water mark of resident memory, from the kernel.
static long PeakRss()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
    }

    return -1;
}
