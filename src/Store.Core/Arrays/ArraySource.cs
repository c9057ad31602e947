namespace Store.Core.Arrays;

/// <summary>
/// The flushed data of one entry as a codec reads it back: dtype, shape and random access to
/// C-order little-endian bytes, whatever order or byte order the file holds.
/// </summary>
internal abstract class ArraySource : IByteSource, IDisposable
{
    /// <summary>The stored element type.</summary>
    public abstract DType DType { get; }

    /// <summary>The stored shape.</summary>
    public abstract long[] Shape { get; }

    /// <summary>Rows per chunk along axis 0 for chunked formats (the block <c>Iter</c> reads by default), else null.</summary>
    public virtual int? ChunkRows => null;

    /// <inheritdoc />
    public abstract void Read(long offset, Span<byte> destination);

    /// <inheritdoc />
    public abstract void Dispose();
}
