namespace Store.Benchmarks;

/// <summary>
/// The buffer a user would write by hand instead of the store (issue 16's memory baseline): appended
/// bytes copied into 4 MiB chunks taken from a pool of chunks that were touched once beforehand, a
/// length and nothing else: no shape checks, no entry, no chunk size classes. Not thread-safe: its
/// benchmark holds one lock around every append, and the pool is shared under that lock.
/// </summary>
/// <param name="pool">Idle chunks, taken when the buffer grows and given back by <see cref="Clear"/>.</param>
internal sealed class PlainChunkedBuffer(Stack<byte[]> pool)
{
    /// <summary>Bytes per chunk.</summary>
    public const int ChunkBytes = 4 << 20;

    private readonly List<byte[]> _chunks = [];

    /// <summary>Bytes appended since the last <see cref="Clear"/>.</summary>
    public long Length { get; private set; }

    /// <summary>A chunk whose pages were all written once, so the first append into it does not fault them in.</summary>
    public static byte[] TouchedChunk()
    {
        var chunk = GC.AllocateUninitializedArray<byte>(ChunkBytes);
        chunk.AsSpan().Fill(0x5A);
        return chunk;
    }

    /// <summary>Appends a copy of <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var within = (int)(Length % ChunkBytes);
            if (within == 0)
            {
                _chunks.Add(pool.Count > 0 ? pool.Pop() : TouchedChunk());
            }

            var target = _chunks[^1].AsSpan(within);
            var n = Math.Min(target.Length, data.Length);
            data[..n].CopyTo(target);
            data = data[n..];
            Length += n;
        }
    }

    /// <summary>Empties the buffer, its chunks back to the pool.</summary>
    public void Clear()
    {
        foreach (var chunk in _chunks)
        {
            pool.Push(chunk);
        }

        _chunks.Clear();
        Length = 0;
    }
}
