namespace Store.Actors;

/// <summary>The unflushed bytes of every path of one store, against the store's limit.</summary>
internal sealed class BufferBudget(long limit)
{
    private long _used;

    /// <summary>Unflushed bytes now.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>Whether the store holds more unflushed bytes than its limit.</summary>
    public bool Exceeded => Used > limit;

    /// <summary>Counts <paramref name="bytes"/> more (negative: fewer).</summary>
    public void Add(long bytes) => Interlocked.Add(ref _used, bytes);
}
