using System.Collections.Concurrent;
using System.Numerics;

namespace Store.Core.Arrays;

/// <summary>
/// Recycles the buffer chunks of array entries. Memory touched for the first time fills several
/// times slower than reused memory, so chunks released by a flush are kept for the next appends,
/// up to <see cref="RetainedLimit"/> bytes; beyond that they are left to the GC.
/// Chunk sizes are powers of two from <see cref="MinChunkBytes"/> to <see cref="MaxChunkBytes"/>.
/// </summary>
public sealed class ChunkPool
{
    /// <summary>The smallest chunk: a small entry costs no more than this.</summary>
    public const int MinChunkBytes = 64 * 1024;

    /// <summary>The largest chunk; buffers grow by doubling up to it.</summary>
    public const int MaxChunkBytes = 4 * 1024 * 1024;

    /// <summary>Number of chunk size classes (64 KiB … 4 MiB).</summary>
    internal const int SizeClasses = 7;

    private readonly ConcurrentStack<byte[]>[] _free;
    private long _retainedBytes;

    /// <summary>Creates a pool that keeps at most <paramref name="retainedLimit"/> idle bytes.</summary>
    public ChunkPool(long retainedLimit)
    {
        RetainedLimit = retainedLimit;
        _free = Enumerable.Range(0, SizeClasses).Select(_ => new ConcurrentStack<byte[]>()).ToArray();
    }

    /// <summary>
    /// The pool every store uses unless given another. <b>Default</b>: keeps up to an eighth of
    /// the memory available to the process.
    /// </summary>
    public static ChunkPool Shared { get; } = new(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8);

    /// <summary>The most idle bytes the pool keeps.</summary>
    public long RetainedLimit { get; }

    /// <summary>Idle bytes held now.</summary>
    public long RetainedBytes => Interlocked.Read(ref _retainedBytes);

    /// <summary>The size of chunks of class <paramref name="sizeClass"/> (0 = 64 KiB).</summary>
    internal static int ChunkBytes(int sizeClass) => MinChunkBytes << sizeClass;

    /// <summary>A chunk of the given class, reused when one is idle (its content is arbitrary).</summary>
    internal byte[] Rent(int sizeClass)
    {
        if (_free[sizeClass].TryPop(out var chunk))
        {
            Interlocked.Add(ref _retainedBytes, -chunk.Length);
            return chunk;
        }

        return GC.AllocateUninitializedArray<byte>(ChunkBytes(sizeClass));
    }

    /// <summary>Gives a chunk back; it is kept while the pool is under its limit.</summary>
    internal void Return(byte[] chunk)
    {
        if (Interlocked.Add(ref _retainedBytes, chunk.Length) > RetainedLimit)
        {
            Interlocked.Add(ref _retainedBytes, -chunk.Length);
            return;
        }

        _free[BitOperations.Log2((uint)(chunk.Length / MinChunkBytes))].Push(chunk);
    }

    /// <summary>Drops every idle chunk.</summary>
    public void Trim()
    {
        foreach (var stack in _free)
        {
            while (stack.TryPop(out var chunk))
            {
                Interlocked.Add(ref _retainedBytes, -chunk.Length);
            }
        }
    }
}
