using Store.Core.Arrays;

namespace Store.Core.Tests;

public class ChunkedBufferTests
{
    [Fact]
    public void AppendReadWrite_RandomSizesAcrossChunkBoundaries_MatchesAFlatCopy()
    {
        var random = new Random(7);
        var buffer = new ChunkedBuffer(new ChunkPool(0));
        var flat = new List<byte>();
        while (flat.Count < 20_000_000)
        {
            var piece = new byte[random.Next(1, 900_000)];
            random.NextBytes(piece);
            buffer.Append(piece);
            flat.AddRange(piece);
        }

        Assert.Equal(flat.Count, buffer.Length);
        var expected = flat.ToArray();
        for (var i = 0; i < 200; i++)
        {
            var offset = random.Next(0, expected.Length - 1);
            var length = random.Next(0, Math.Min(5_000_000, expected.Length - offset));
            var read = new byte[length];
            buffer.Read(offset, read);
            Assert.True(expected.AsSpan(offset, length).SequenceEqual(read), $"read at {offset}+{length}");

            var patch = new byte[Math.Min(length, 300_000)];
            random.NextBytes(patch);
            buffer.Write(offset, patch);
            patch.CopyTo(expected, offset);
        }

        Assert.True(expected.AsSpan().SequenceEqual(buffer.Segments().SelectMany(s => s.ToArray()).ToArray()));
    }

    [Fact]
    public void Clear_ReturnsChunksThatTheNextAppendsReuse()
    {
        var pool = new ChunkPool(64L << 20);
        var buffer = new ChunkedBuffer(pool);
        buffer.Append(new byte[10_000_000]);
        buffer.Clear();
        var retained = pool.RetainedBytes;
        Assert.True(retained >= 10_000_000, $"retained {retained}");
        buffer.Append(new byte[10_000_000]);
        Assert.True(pool.RetainedBytes < retained, "chunks were taken from the pool");
    }

    [Fact]
    public void Return_BeyondRetainedLimit_DropsChunks()
    {
        var pool = new ChunkPool(ChunkPool.MinChunkBytes * 3L);
        var buffer = new ChunkedBuffer(pool);
        buffer.Append(new byte[ChunkPool.MinChunkBytes * 15]);
        buffer.Clear();
        Assert.True(pool.RetainedBytes <= pool.RetainedLimit);
    }

    [Fact]
    public void Read_OutsideLength_Throws()
    {
        var buffer = new ChunkedBuffer(new ChunkPool(0));
        buffer.Append(new byte[10]);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Read(5, new byte[6]));
    }
}
