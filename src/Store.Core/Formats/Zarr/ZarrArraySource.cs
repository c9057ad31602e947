using System.Buffers.Binary;
using Store.Core.Arrays;

namespace Store.Core.Formats.Zarr;

/// <summary>
/// A flushed Zarr array (v2 or v3, plain or sharded) read chunk by chunk: a read decodes only the
/// chunks its bytes lie in, keeping the last few decoded. A missing chunk reads as the fill value,
/// as the spec says; a chunk that does not decode is a <see cref="CorruptDataException"/> naming
/// its key. Not thread-safe: the owning entry serializes access.
/// </summary>
internal sealed class ZarrArraySource : ArraySource
{
    private const long CacheBytes = 64L * 1024 * 1024;

    private readonly int _itemSize;
    private readonly int[] _chunk;
    private readonly long[] _chunkStrides;
    private readonly int _contiguousAxis;
    private readonly long _trailing;
    private readonly long _chunkBytes;
    private readonly Dictionary<string, byte[]> _cache = new(StringComparer.Ordinal);
    private readonly Queue<string> _cacheOrder = new();
    private readonly Dictionary<string, ulong[]?> _shardIndexes = new(StringComparer.Ordinal);

    /// <summary>Opens the array in <paramref name="folder"/> described by <paramref name="metadata"/>.</summary>
    public ZarrArraySource(string folder, ZarrMetadata metadata)
    {
        Folder = folder;
        Metadata = metadata;
        _itemSize = metadata.DType.ItemSize();
        _chunk = metadata.ReadChunkShape;
        var rank = _chunk.Length;
        _chunkStrides = new long[rank];
        for (long stride = 1, d = rank - 1; d >= 0; d--)
        {
            _chunkStrides[d] = stride;
            stride *= _chunk[d];
        }

        // Axes after _contiguousAxis have chunks spanning the whole axis, so runs there are contiguous in both layouts.
        _contiguousAxis = Math.Max(rank - 1, 0);
        while (_contiguousAxis > 0 && _chunk[_contiguousAxis] == metadata.Shape[_contiguousAxis])
        {
            _contiguousAxis--;
        }

        _trailing = metadata.Shape.Skip(_contiguousAxis + 1).Aggregate(1L, (a, b) => a * b);
        _chunkBytes = _chunk.Aggregate((long)_itemSize, (a, b) => a * b);
    }

    /// <summary>The array's folder.</summary>
    public string Folder { get; }

    /// <summary>The array's metadata.</summary>
    public ZarrMetadata Metadata { get; }

    /// <inheritdoc />
    public override DType DType => Metadata.DType;

    /// <inheritdoc />
    public override long[] Shape => Metadata.Shape;

    /// <inheritdoc />
    public override int? ChunkRows => _chunk.Length > 0 ? _chunk[0] : null;

    /// <inheritdoc />
    public override void Read(long offset, Span<byte> destination)
    {
        var shape = Metadata.Shape;
        var rank = shape.Length;
        if (rank == 0)
        {
            Chunk([]).AsSpan((int)offset, destination.Length).CopyTo(destination);
            return;
        }

        var index = new long[rank];
        var chunkIndex = new long[rank];
        var element = offset / _itemSize;
        var remaining = (long)destination.Length / _itemSize;
        var written = 0;
        while (remaining > 0)
        {
            var rest = element;
            for (var d = rank - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }

            var k = _contiguousAxis;
            long tail = 0;
            for (var d = k + 1; d < rank; d++)
            {
                tail = (tail * shape[d]) + index[d];
            }

            long chunkOffset = 0;
            for (var d = 0; d < rank; d++)
            {
                chunkIndex[d] = index[d] / _chunk[d];
                if (d < k)
                {
                    chunkOffset += index[d] % _chunk[d] * _chunkStrides[d];
                }
            }

            chunkOffset += (index[k] % _chunk[k] * _trailing) + tail;
            var axisEnd = Math.Min((chunkIndex[k] + 1) * _chunk[k], shape[k]);
            var run = Math.Min(((axisEnd - index[k]) * _trailing) - tail, remaining);
            var bytes = (int)(run * _itemSize);
            Chunk(chunkIndex).AsSpan((int)(chunkOffset * _itemSize), bytes).CopyTo(destination.Slice(written, bytes));
            written += bytes;
            element += run;
            remaining -= run;
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _cache.Clear();
        _cacheOrder.Clear();
        _shardIndexes.Clear();
    }

    /// <summary>The file of chunk (or shard) <paramref name="key"/>.</summary>
    public string FileOf(string key) => Path.Combine(Folder, key.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The decoded read-chunk at grid position <paramref name="chunkIndex"/> (full chunk shape, little-endian).</summary>
    private byte[] Chunk(long[] chunkIndex)
    {
        var cacheKey = string.Join(',', chunkIndex);
        if (_cache.TryGetValue(cacheKey, out var cached))
        {
            return cached;
        }

        // Both paths return little-endian bytes: stored chunks are swapped as they are decoded, and
        // the fill value of a missing chunk is little-endian already (swapping it too read -7 as -100663297).
        var chunk = Metadata.InnerChunkShape is null ? ReadPlain(chunkIndex) : ReadFromShard(chunkIndex);
        while (_cacheOrder.Count > 1 && (_cacheOrder.Count + 1) * _chunkBytes > CacheBytes)
        {
            _cache.Remove(_cacheOrder.Dequeue());
        }

        _cache[cacheKey] = chunk;
        _cacheOrder.Enqueue(cacheKey);
        return chunk;
    }

    private byte[] ReadPlain(long[] chunkIndex)
    {
        var key = Metadata.ChunkKey(chunkIndex);
        var file = FileOf(key);
        if (!File.Exists(file))
        {
            return Fill();
        }

        return Decode(File.ReadAllBytes(file), key);
    }

    private byte[] ReadFromShard(long[] chunkIndex)
    {
        var shard = Metadata.ChunkShape;
        var inner = _chunk;
        var shardIndex = new long[shard.Length];
        long within = 0;
        for (var d = 0; d < shard.Length; d++)
        {
            var origin = chunkIndex[d] * inner[d];
            shardIndex[d] = origin / shard[d];
            within = (within * (shard[d] / inner[d])) + (origin % shard[d] / inner[d]);
        }

        var key = Metadata.ChunkKey(shardIndex);
        var index = ShardIndex(key);
        if (index is null)
        {
            return Fill();
        }

        var (offset, length) = (index[2 * within], index[(2 * within) + 1]);
        if (offset == ulong.MaxValue && length == ulong.MaxValue)
        {
            return Fill();
        }

        using var handle = File.OpenHandle(FileOf(key));
        var fileLength = RandomAccess.GetLength(handle);
        if (offset > (ulong)fileLength || length > (ulong)fileLength - offset)
        {
            throw Corrupt(key, $"the shard index puts inner chunk {within} at bytes [{offset}, {offset + length}) of a {fileLength}-byte shard");
        }

        var stored = new byte[length];
        RandomAccess.Read(handle, stored, (long)offset);
        return Decode(stored, $"{key} (inner chunk {within})");
    }

    /// <summary>The (offset, length) pairs of a shard's inner chunks, or null when the shard has no file.</summary>
    private ulong[]? ShardIndex(string key)
    {
        if (_shardIndexes.TryGetValue(key, out var known))
        {
            return known;
        }

        var file = FileOf(key);
        ulong[]? index = null;
        if (File.Exists(file))
        {
            var count = Metadata.ChunkShape.Zip(_chunk).Aggregate(1L, (a, p) => a * (p.First / p.Second));
            var size = (count * 16) + (Metadata.IndexChecksum ? 4 : 0);
            using var handle = File.OpenHandle(file);
            var fileLength = RandomAccess.GetLength(handle);
            if (fileLength < size)
            {
                throw Corrupt(key, $"the shard has {fileLength} bytes, fewer than its {size}-byte index");
            }

            var bytes = new byte[size];
            RandomAccess.Read(handle, bytes, Metadata.IndexAtEnd ? fileLength - size : 0);
            byte[] body;
            try
            {
                body = Metadata.IndexChecksum ? ZarrChunkCodec.WithoutChecksum(bytes) : bytes;
            }
            catch (InvalidDataException e)
            {
                throw Corrupt(key, $"its index fails: {e.Message}");
            }

            index = new ulong[count * 2];
            for (var i = 0; i < index.Length; i++)
            {
                index[i] = BinaryPrimitives.ReadUInt64LittleEndian(body.AsSpan(i * 8));
            }
        }

        _shardIndexes[key] = index;
        return index;
    }

    private byte[] Decode(byte[] stored, string key)
    {
        var chunk = new byte[_chunkBytes];
        try
        {
            ZarrChunkCodec.Decode(stored, Metadata.Codecs, chunk);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw Corrupt(key, $"it cannot be decoded ({string.Join(" + ", Metadata.Codecs.Select(c => c.Kind).DefaultIfEmpty("raw"))}, {_chunkBytes} bytes expected): {e.Message}");
        }

        if (Metadata.BigEndian)
        {
            ByteOrder.Swap(chunk, _itemSize);
        }

        return chunk;
    }

    /// <summary>A missing chunk: every element the fill value, which <see cref="ZarrMetadata.FillValue"/> holds little-endian whatever the array's byte order.</summary>
    private byte[] Fill()
    {
        var chunk = new byte[_chunkBytes];
        if (Metadata.FillValue.Any(b => b != 0))
        {
            for (var i = 0; i < chunk.Length; i += _itemSize)
            {
                Metadata.FillValue.CopyTo(chunk, i);
            }
        }

        return chunk;
    }

    private CorruptDataException Corrupt(string key, string problem) =>
        new($"{Folder}: chunk '{key}' is corrupt: {problem}.", Folder);
}
