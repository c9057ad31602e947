using System.Buffers;
using System.Buffers.Binary;
using Store.Core.Arrays;
using Store.Core.Storage;

namespace Store.Core.Formats.Zarr;

/// <summary>
/// Writes one array's chunk files (or shard files) from its C-order bytes. Edge chunks are padded
/// with the fill value to the full chunk shape, as the spec requires. A chunk file that already
/// exists is replaced atomically (readers of the old metadata still find their rows in it); a new
/// one is written in place, since no metadata points at it yet. Every file reaches the disk before
/// <see cref="WriteFrom"/> returns. No chunk file, nor folder of chunk keys, is written through a
/// symbolic link: each is checked before use (once per folder) and a new file is created exclusively.
/// <para>
/// Uncompressed chunks that hold whole rows (chunked along axis 0 only, no sharding, zero fill)
/// are written row by row: a partial last chunk is its rows followed by a hole up to the chunk's
/// size (the file system reads zeros there without storing them), and rows appended since the last
/// flush go into the existing chunk file in place, after rows the current metadata shows, which they
/// never touch. So a flush writes what is new, not a padded chunk (a 2 MiB chunk for a frame).
/// </para>
/// </summary>
internal sealed class ZarrChunkWriter(string folder, ZarrMetadata metadata, IByteSource data, string path)
{
    private readonly int _itemSize = metadata.DType.ItemSize();
    private readonly HashSet<string> _newFolders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _checkedFolders = new(StringComparer.Ordinal);

    /// <summary>
    /// Bytes per row when chunks are written row by row (see the summary), or 0 when they are
    /// encoded whole: compressed or checksummed, sharded, chunked across rows, or a non-zero fill.
    /// </summary>
    private readonly long _rowBytes =
        metadata.Shape.Length > 0 && metadata.InnerChunkShape is null && metadata.Codecs.Count == 0
        && metadata.FillValue.All(b => b == 0)
        && metadata.Shape.Skip(1).SequenceEqual(metadata.ChunkShape.Skip(1).Select(c => (long)c))
            ? Shapes.RowBytes(metadata.Shape, metadata.DType, path)
            : 0;

    /// <summary>
    /// Writes every chunk (or shard) whose rows reach <paramref name="firstRow"/> or beyond.
    /// <paramref name="rowsOnDisk"/>: the rows the chunk files and the metadata on disk already hold,
    /// unchanged in the array since (rows from there on are new); 0 when unknown.
    /// </summary>
    public void WriteFrom(long firstRow, long rowsOnDisk = 0)
    {
        var shape = metadata.Shape;
        var unit = metadata.ChunkShape;
        if (shape.Length == 0)
        {
            WriteUnit([], rowsOnDisk);
        }
        else if (shape.All(s => s > 0))
        {
            var counts = shape.Zip(unit, (s, u) => (s + u - 1) / u).ToArray();
            var index = new long[shape.Length];
            index[0] = firstRow / unit[0];
            while (index[0] < counts[0])
            {
                WriteUnit(index, rowsOnDisk);
                for (var d = shape.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < counts[d] || d == 0)
                    {
                        break;
                    }

                    index[d] = 0;
                }
            }
        }

        foreach (var created in _newFolders)
        {
            AtomicFile.SyncFolder(created);
        }
    }

    private void WriteUnit(long[] index, long rowsOnDisk)
    {
        var origin = index.Zip(metadata.ChunkShape, (i, c) => i * c).ToArray();
        var key = metadata.ChunkKey(index);
        var file = Path.Combine(folder, key.Replace('/', Path.DirectorySeparatorChar));
        CheckNoLinks(key);
        if (_rowBytes > 0)
        {
            var first = origin[0];
            var end = Math.Min(first + metadata.ChunkShape[0], metadata.Shape[0]);
            var from = first < rowsOnDisk && rowsOnDisk < end ? rowsOnDisk : first;
            // Rows are read before any file is touched: flushed rows come from this very chunk file
            // (or, when it is missing, are the fill value), and creating it would leave it empty under them.
            if (from > first && WithRows(from, end, appended => AppendRowsInPlace(file, first, from, appended)))
            {
                CrashPoint.Hit(CrashPoint.ZarrChunkWritten);
                return;
            }

            WithRows(first, end, rows =>
            {
                WriteChunkFile(file, stream => WriteRows(stream, 0, rows));
                return true;
            });

            return;
        }

        var bytes = metadata.InnerChunkShape is { } inner ? Shard(origin, inner) : Encode(origin, metadata.ChunkShape);
        WriteChunkFile(file, stream => stream.Write(bytes));
    }

    /// <summary>Writes a chunk (or shard) file: an existing one is replaced atomically, a new one created exclusively.</summary>
    private void WriteChunkFile(string file, Action<FileStream> write)
    {
        if (File.Exists(file))
        {
            AtomicFile.Replace(file, write);
            CrashPoint.Hit(CrashPoint.ZarrChunkWritten);
            return;
        }

        var parent = Path.GetDirectoryName(file)!;
        if (!Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent);
        }

        _newFolders.Add(parent);
        // CreateNew (O_EXCL) never follows a link that appeared since the check.
        using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        write(output);
        output.Flush(flushToDisk: true);
        CrashPoint.Hit(CrashPoint.ZarrChunkWritten);
    }

    /// <summary>
    /// Writes <paramref name="rows"/>, the rows from <paramref name="from"/> on, into the existing
    /// chunk file of the chunk starting at row <paramref name="first"/>, at their place; rows before
    /// <paramref name="from"/> stay as they are. False (nothing written) when the file is missing or
    /// not a whole uncompressed chunk, so the caller writes the chunk anew.
    /// </summary>
    private bool AppendRowsInPlace(string file, long first, long from, ArraySegment<byte> rows)
    {
        FileStream output;
        try
        {
            output = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false; // removed behind the store's back
        }

        using (output)
        {
            if (output.Length != metadata.ChunkShape[0] * _rowBytes)
            {
                return false;
            }

            WriteRows(output, (from - first) * _rowBytes, rows);
            output.Flush(flushToDisk: true);
            return true;
        }
    }

    /// <summary>
    /// Reads rows <paramref name="from"/>..<paramref name="end"/> as the chunk file holds them (little-
    /// or big-endian) into a pooled array, and returns what <paramref name="use"/> makes of them.
    /// </summary>
    private bool WithRows(long from, long end, Func<ArraySegment<byte>, bool> use)
    {
        var length = (int)((end - from) * _rowBytes);
        var rows = new ArraySegment<byte>(ArrayPool<byte>.Shared.Rent(length), 0, length);
        try
        {
            data.Read(from * _rowBytes, rows);
            if (metadata.BigEndian)
            {
                ByteOrder.Swap(rows, _itemSize);
            }

            return use(rows);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rows.Array!);
        }
    }

    /// <summary>
    /// Writes <paramref name="rows"/> at <paramref name="offset"/> of <paramref name="stream"/> and makes
    /// the stream a whole chunk long: a new file's tail past the last row is a hole, which reads as zeros.
    /// </summary>
    private void WriteRows(FileStream stream, long offset, ArraySegment<byte> rows)
    {
        stream.Position = offset;
        stream.Write(rows);
        var chunkBytes = metadata.ChunkShape[0] * _rowBytes;
        if (stream.Length < chunkBytes)
        {
            stream.SetLength(chunkBytes);
        }
    }

    /// <summary>Refuses a chunk key whose file, or a folder on the way to it below the array's folder, is a symbolic link.</summary>
    private void CheckNoLinks(string key)
    {
        var at = folder;
        var names = key.Split('/');
        for (var i = 0; i < names.Length - 1; i++)
        {
            var next = Path.Combine(at, names[i]);
            if (_checkedFolders.Add(next) && !StorePaths.CheckNoLink(at, names[i], path))
            {
                return; // Missing: created by this writer below.
            }

            at = next;
        }

        StorePaths.CheckNoLink(at, names[^1], path);
    }

    /// <summary>A shard: its inner chunks encoded one after another, then the (offset, length) index and its crc32c.</summary>
    private byte[] Shard(long[] origin, int[] inner)
    {
        var shape = metadata.Shape;
        var perAxis = metadata.ChunkShape.Zip(inner, (s, i) => s / i).ToArray();
        var count = perAxis.Aggregate(1, (a, b) => a * b);
        var index = new byte[count * 16];
        using var body = new MemoryStream();
        var position = new long[inner.Length];
        for (var n = 0; n < count; n++)
        {
            var chunkOrigin = origin.Select((o, d) => o + (position[d] * inner[d])).ToArray();
            if (chunkOrigin.Zip(shape).Any(p => p.First >= p.Second))
            {
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(n * 16), ulong.MaxValue);
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan((n * 16) + 8), ulong.MaxValue);
            }
            else
            {
                var encoded = Encode(chunkOrigin, inner);
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(n * 16), (ulong)body.Length);
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan((n * 16) + 8), (ulong)encoded.Length);
                body.Write(encoded);
            }

            for (var d = inner.Length - 1; d >= 0 && ++position[d] == perAxis[d]; d--)
            {
                position[d] = 0;
            }
        }

        body.Write(metadata.IndexChecksum ? ZarrChunkCodec.WithChecksum(index) : index);
        return body.ToArray();
    }

    /// <summary>The chunk of shape <paramref name="chunk"/> at <paramref name="origin"/>, padded and encoded.</summary>
    private byte[] Encode(long[] origin, int[] chunk)
    {
        var raw = Raw(origin, chunk);
        if (metadata.BigEndian)
        {
            ByteOrder.Swap(raw, _itemSize);
        }

        return ZarrChunkCodec.Encode(raw, metadata.Codecs);
    }

    /// <summary>The chunk's little-endian bytes: the array's values where it overlaps the array, the fill value elsewhere.</summary>
    private byte[] Raw(long[] origin, int[] chunk)
    {
        var shape = metadata.Shape;
        var rank = shape.Length;
        var raw = new byte[chunk.Aggregate((long)_itemSize, (a, b) => a * b)];
        if (rank == 0)
        {
            data.Read(0, raw);
            return raw;
        }

        var extent = origin.Select((o, d) => Math.Min(chunk[d], shape[d] - o)).ToArray();
        if (extent.Where((e, d) => e < chunk[d]).Any() && metadata.FillValue.Any(b => b != 0))
        {
            for (var i = 0; i < raw.Length; i += _itemSize)
            {
                metadata.FillValue.CopyTo(raw, i);
            }
        }

        // Axes after k are whole in the chunk, so each run covers extent[k] slabs of them at once.
        var k = rank - 1;
        while (k > 0 && chunk[k] == shape[k])
        {
            k--;
        }

        var arrayStrides = Shapes.ElementStrides(shape);
        var chunkStrides = new long[rank];
        for (long stride = 1, d = rank - 1; d >= 0; d--)
        {
            chunkStrides[d] = stride;
            stride *= chunk[d];
        }

        var runBytes = (int)(extent[k] * arrayStrides[k] * _itemSize);
        var outer = new long[k];
        while (true)
        {
            long source = origin[k] * arrayStrides[k];
            long target = 0;
            for (var d = 0; d < k; d++)
            {
                source += (origin[d] + outer[d]) * arrayStrides[d];
                target += outer[d] * chunkStrides[d];
            }

            data.Read(source * _itemSize, raw.AsSpan((int)(target * _itemSize), runBytes));
            var axis = k - 1;
            while (axis >= 0 && ++outer[axis] == extent[axis])
            {
                outer[axis] = 0;
                axis--;
            }

            if (axis < 0)
            {
                return raw;
            }
        }
    }
}
