using System.Collections.Concurrent;

namespace Store.Actors;

/// <summary>
/// Buffers of exact byte lengths for <see cref="RentedArray"/>s, kept for the next rent once the
/// store has copied their data, up to a retained total; a producer appending frames of one shape
/// then reuses a few buffers instead of allocating one (on the large object heap) per append.
/// </summary>
internal sealed class FramePool(long retainedLimit)
{
    private readonly ConcurrentDictionary<long, ConcurrentBag<byte[]>> _free = new();
    private long _retained;

    /// <summary>A zeroed buffer of <paramref name="length"/> bytes.</summary>
    public byte[] Rent(long length)
    {
        if (_free.TryGetValue(length, out var bag) && bag.TryTake(out var buffer))
        {
            Interlocked.Add(ref _retained, -buffer.Length);
            System.Array.Clear(buffer);
            return buffer;
        }

        return new byte[length];
    }

    /// <summary>Keeps <paramref name="buffer"/> for a later rent, unless the pool holds its limit already.</summary>
    public void Return(byte[] buffer)
    {
        if (Interlocked.Add(ref _retained, buffer.Length) > retainedLimit)
        {
            Interlocked.Add(ref _retained, -buffer.Length);
            return;
        }

        _free.GetOrAdd(buffer.Length, _ => []).Add(buffer);
    }
}
