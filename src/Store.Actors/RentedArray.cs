using Store.Core;
using Store.Core.Arrays;

namespace Store.Actors;

/// <summary>
/// An array whose memory is rented from an <see cref="ArrayActorStore"/>: fill it through
/// <see cref="AsSpan{T}"/>, then hand it to <see cref="ArrayActorStore.AppendAsync(string, RentedArray, string?, long, CancellationToken)"/>,
/// which takes it over and gives the memory back to the store's pool once the store holds the data.
/// Its bytes count against <see cref="ActorStoreOptions.MaxBufferedBytes"/> from the moment it is
/// rented, so renting waits while the store is full: a producer that keeps many appends in flight is
/// held back before it makes more data, and a frame costs no allocation once the pool has one of its size.
/// Disposing a frame that was not appended gives it back.
/// </summary>
public sealed class RentedArray : IDisposable
{
    private const int Rented = 0;
    private const int HandedOff = 1;
    private const int Returned = 2;

    private readonly Action<byte[]?, long> _giveBack;
    private readonly byte[] _buffer;
    private readonly long _bytes;
    private int _state;

    internal RentedArray(NdArray data, byte[] buffer, Action<byte[]?, long> giveBack)
    {
        Data = data;
        _buffer = buffer;
        _bytes = buffer.LongLength;
        _giveBack = giveBack;
    }

    /// <summary>The array (zero-filled when rented). Once appended it belongs to the store: do not touch it.</summary>
    public NdArray Data { get; }

    /// <summary>The elements to fill, as a typed span.</summary>
    /// <exception cref="ObjectDisposedException">The frame was appended or disposed.</exception>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) != Rented, this);
        return Data.AsSpan<T>();
    }

    /// <summary>Gives the frame back unappended (a no-op once appended).</summary>
    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _state, Returned, Rented) == Rented)
        {
            _giveBack(_buffer, _bytes);
        }
    }

    /// <summary>Takes the frame over for an append.</summary>
    /// <exception cref="StoreException">It was appended or disposed already.</exception>
    internal NdArray HandOff(string path)
    {
        if (Interlocked.CompareExchange(ref _state, HandedOff, Rented) != Rented)
        {
            throw new StoreException($"Cannot append to '{path}': this rented array was appended or disposed already; rent one per append.", path);
        }

        return Data;
    }

    /// <summary>After the append: the bytes leave the budget, and the memory goes back to the pool when the store answered (else it may still be read).</summary>
    internal void Release(bool answered) => _giveBack(answered ? _buffer : null, _bytes);
}
