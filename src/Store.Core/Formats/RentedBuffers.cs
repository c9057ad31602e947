using System.Buffers;

namespace Store.Core.Formats;

/// <summary>
/// Arrays rented from the shared pools for one piece of work and all returned on dispose: the
/// scratch space of a column chunk's decoding (raw bytes, decompressed pages, levels), and the
/// columns a query scan reads only to test its filter. A scan decodes hundreds of chunks of a few
/// hundred kilobytes each: allocated afresh they land on the large object heap and cost a full
/// collection every few chunks.
/// </summary>
internal sealed class RentedBuffers : IDisposable
{
    private readonly List<(Array Array, Action<Array> Return)> _rented = [];

    /// <summary>A span of exactly <paramref name="length"/> elements, valid until this is disposed; not cleared.</summary>
    public Span<T> Rent<T>(int length) => RentArray<T>(length).AsSpan(0, length);

    /// <summary>As <see cref="Rent{T}"/>, as memory (to keep across calls that cannot hold a span).</summary>
    public Memory<T> RentMemory<T>(int length) => RentArray<T>(length).AsMemory(0, length);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (array, giveBack) in _rented)
        {
            giveBack(array);
        }

        _rented.Clear();
    }

    private T[] RentArray<T>(int length)
    {
        var array = ArrayPool<T>.Shared.Rent(length);
        _rented.Add((array, Pool<T>.Return));
        return array;
    }

    private static class Pool<T>
    {
        public static readonly Action<Array> Return = array => ArrayPool<T>.Shared.Return((T[])array);
    }
}
