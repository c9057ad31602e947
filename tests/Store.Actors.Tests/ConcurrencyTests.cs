using System.Collections.Concurrent;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>Many producers at once: every append lands once, in each producer's order, at the range it was told.</summary>
public class ConcurrencyTests : IDisposable
{
    private const int Producers = 16;
    private const int AppendsEach = 10_000;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(true, DiskFormat.None)]
    [InlineData(false, DiskFormat.None)]
    [InlineData(true, DiskFormat.Npy)]
    public async Task SixteenProducers_TenThousandAppendsEach_ExactCountsOrderAndDisjointRanges(bool sharedPath, DiskFormat format)
    {
        await using var store = ArrayActorStore.Open(new ActorStoreOptions { Root = format == DiskFormat.None ? "" : _temp.Path, DiskFormat = format, MaxBufferedBytes = 1 << 20 });
        var ranges = new ConcurrentBag<(int Producer, int Sequence, string Path, IndexRange Range)>();
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(producer => Task.Run(async () =>
        {
            var path = sharedPath ? "shared" : $"p{producer}";
            for (var sequence = 0; sequence < AppendsEach; sequence++)
            {
                var frame = NdArray.From(new long[] { producer, sequence }, 1, 2);
                ranges.Add((producer, sequence, path, await store.AppendAsync(path, frame)));
            }
        })));

        Assert.Equal(Producers * AppendsEach, ranges.Count);
        foreach (var group in ranges.GroupBy(r => r.Path))
        {
            var rows = (await store.ReadAsync(group.Key))!.ToArray<long>();
            var expected = group.Count();
            Assert.Equal(expected * 2, rows.Length);

            // Ranges are disjoint and cover [0, n): sorted by start they are 0, 1, 2, ...
            Assert.Equal(Enumerable.Range(0, expected).Select(i => (long)i), group.Select(r => r.Range.Start).Order());
            Assert.All(group, r => Assert.Equal(1, r.Range.Count));

            // Each range holds the frame that was appended there.
            Assert.All(group, r =>
            {
                Assert.Equal(r.Producer, rows[r.Range.Start * 2]);
                Assert.Equal(r.Sequence, rows[(r.Range.Start * 2) + 1]);
            });

            // Per producer, sequence numbers appear in the order they were sent.
            foreach (var producer in group.GroupBy(r => r.Producer))
            {
                var inFileOrder = producer.OrderBy(r => r.Range.Start).Select(r => r.Sequence).ToList();
                Assert.Equal(inFileOrder.Order(), inFileOrder);
            }
        }
    }

    [Fact]
    public async Task Read_RacingAppends_NeverSeesATornFrame()
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        const int Frames = 2_000;
        const int Width = 3_000;
        var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < Frames / 4; i++)
            {
                var value = (writer * 100_000) + i;
                await store.AppendAsync("frames", NdArray.From(Enumerable.Repeat((double)value, Width).ToArray(), 1, Width));
            }
        })).ToArray();

        var reads = 0;
        while (!writers.All(w => w.IsCompleted) || reads == 0)
        {
            var snapshot = await store.ReadAsync("frames");
            if (snapshot is null)
            {
                continue;
            }

            var values = snapshot.ToArray<double>();
            Assert.Equal(0, values.Length % Width);
            for (var frame = 0; frame < values.Length / Width; frame++)
            {
                var row = values.AsSpan(frame * Width, Width);
                Assert.True(row.IndexOfAnyExcept(row[0]) < 0, $"frame {frame} of a read of {values.Length / Width} frames is torn");
            }

            reads++;
        }

        await Task.WhenAll(writers);
        var shape = await store.ShapeAsync("frames");
        Assert.Equal(new long[] { Frames, Width }, shape);
    }

    [Fact]
    public async Task Append_RetriedWithTheSameProducerSequence_IsAppliedOnceAndAnsweredWithTheOriginalRange()
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        var first = await store.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }), "producer-a", 1);
        var other = await store.AppendAsync("x", NdArray.From(new[] { 3.0 }), "producer-b", 1);
        var retry = await store.AppendAsync("x", NdArray.From(new[] { 1.0, 2.0 }), "producer-a", 1);
        var next = await store.AppendAsync("x", NdArray.From(new[] { 4.0 }), "producer-a", 2);

        Assert.Equal(new IndexRange(0, 2), first);
        Assert.Equal(first, retry);
        Assert.Equal(new IndexRange(2, 1), other);
        Assert.Equal(new IndexRange(3, 1), next);
        var values = await store.ReadAsync("x");
        Assert.Equal([1.0, 2.0, 3.0, 4.0], values!.ToArray<double>());
    }

    [Fact]
    public async Task ConcurrentRetries_FromManyProducers_DropEveryDuplicate()
    {
        await using var store = ArrayActorStore.Open(ActorStoreOptions.InMemory);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(producer => Task.Run(async () =>
        {
            for (var sequence = 0; sequence < 500; sequence++)
            {
                var frame = NdArray.From(new long[] { producer, sequence }, 1, 2);
                var range = await store.AppendAsync("x", frame, $"p{producer}", sequence);
                if (sequence % 3 == 0)
                {
                    Assert.Equal(range, await store.AppendAsync("x", frame, $"p{producer}", sequence));
                }
            }
        })));

        var shape = await store.ShapeAsync("x");
        Assert.Equal(new long[] { 4000, 2 }, shape);
    }
}
