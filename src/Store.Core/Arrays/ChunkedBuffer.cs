using System.Numerics;

namespace Store.Core.Arrays;

/// <summary>
/// An append-only byte buffer made of pooled chunks (64 KiB doubling to 4 MiB), so an append
/// copies only the appended bytes and never moves earlier data. Random reads and overwrites
/// address it as one contiguous range. Not thread-safe: its entry serializes access.
/// </summary>
internal sealed class ChunkedBuffer(ChunkPool pool) : IByteSource, IByteSink
{
    // Bytes held by the first SizeClasses chunks (64 KiB × (1 + 2 + … + 64)).
    private const long GrowingBytes = (long)ChunkPool.MinChunkBytes * ((1 << ChunkPool.SizeClasses) - 1);

    private readonly List<byte[]> _chunks = [];

    /// <summary>Bytes appended since creation or the last <see cref="Clear"/>.</summary>
    public long Length { get; private set; }

    /// <summary>Appends a copy of <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var (chunk, within) = Locate(Length);
            if (chunk == _chunks.Count)
            {
                _chunks.Add(pool.Rent(Math.Min(chunk, ChunkPool.SizeClasses - 1)));
            }

            var target = _chunks[chunk].AsSpan(within);
            var n = Math.Min(target.Length, data.Length);
            data[..n].CopyTo(target);
            data = data[n..];
            Length += n;
        }
    }

    /// <inheritdoc />
    public void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        while (!destination.IsEmpty)
        {
            var (chunk, within) = Locate(offset);
            var source = _chunks[chunk].AsSpan(within);
            var n = Math.Min(source.Length, destination.Length);
            source[..n].CopyTo(destination);
            destination = destination[n..];
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        CheckRange(offset, source.Length);
        while (!source.IsEmpty)
        {
            var (chunk, within) = Locate(offset);
            var target = _chunks[chunk].AsSpan(within);
            var n = Math.Min(target.Length, source.Length);
            source[..n].CopyTo(target);
            source = source[n..];
            offset += n;
        }
    }

    /// <summary>The buffer's bytes in order, as chunk-sized pieces (valid until the next change).</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Segments()
    {
        var remaining = Length;
        foreach (var chunk in _chunks)
        {
            if (remaining == 0)
            {
                yield break;
            }

            var n = (int)Math.Min(chunk.Length, remaining);
            yield return chunk.AsMemory(0, n);
            remaining -= n;
        }
    }

    /// <summary>Empties the buffer and returns its chunks to the pool.</summary>
    public void Clear()
    {
        foreach (var chunk in _chunks)
        {
            pool.Return(chunk);
        }

        _chunks.Clear();
        Length = 0;
    }

    private static (int Chunk, int Within) Locate(long offset)
    {
        if (offset < GrowingBytes)
        {
            // Chunk k starts at 64 KiB × (2^k − 1).
            var chunk = BitOperations.Log2((ulong)(offset / ChunkPool.MinChunkBytes + 1));
            var start = (long)ChunkPool.MinChunkBytes * ((1L << chunk) - 1);
            return (chunk, (int)(offset - start));
        }

        var beyond = offset - GrowingBytes;
        return ((int)(ChunkPool.SizeClasses + beyond / ChunkPool.MaxChunkBytes), (int)(beyond % ChunkPool.MaxChunkBytes));
    }

    private void CheckRange(long offset, int count)
    {
        if (offset < 0 || offset + count > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Bytes [{offset}, {offset + count}) lie outside a buffer of {Length}.");
        }
    }
}
