using Store.Core;

namespace Store.Actors;

/// <summary>
/// Per producer, the newest sequence number applied to one path and the ranges of the most recent
/// appends, so a retried duplicate is answered with its original range instead of being applied again.
/// </summary>
internal sealed class ProducerLog
{
    /// <summary>How many recent appends per producer are remembered.</summary>
    public const int Window = 4096;

    private readonly Dictionary<string, Producer> _producers = new(StringComparer.Ordinal);

    /// <summary>Grows with every recorded append, so a snapshot is saved only when the log changed.</summary>
    public long Version { get; private set; }

    /// <summary>Every producer's remembered appends: (producer, sequence, range), oldest first per producer.</summary>
    public IEnumerable<(string ProducerId, long Sequence, IndexRange Range)> Entries =>
        _producers.SelectMany(p => p.Value.Recent.Select(r => (p.Key, r.Sequence, r.Range)));

    /// <summary>
    /// Whether the producer's append with <paramref name="sequence"/> was already applied: true with
    /// its range when remembered; throws when it is older than what is remembered.
    /// </summary>
    /// <exception cref="StoreException">A sequence number at or below the newest applied one that is no longer remembered.</exception>
    public bool TryGetApplied(string path, string producerId, long sequence, out IndexRange range)
    {
        range = default;
        if (!_producers.TryGetValue(producerId, out var producer) || sequence > producer.Newest)
        {
            return false;
        }

        foreach (var (seq, applied) in producer.Recent)
        {
            if (seq == sequence)
            {
                range = applied;
                return true;
            }
        }

        throw new StoreException(
            $"'{path}': append {sequence} of producer '{producerId}' is at or below its newest applied sequence number {producer.Newest} " +
            $"but not among the last {Window} remembered; it was not applied again.", path);
    }

    /// <summary>Records an applied append.</summary>
    public void Record(string producerId, long sequence, IndexRange range)
    {
        if (!_producers.TryGetValue(producerId, out var producer))
        {
            producer = new Producer();
            _producers[producerId] = producer;
        }

        if (sequence <= producer.Newest && producer.Recent.Any(r => r.Sequence == sequence))
        {
            return; // replayed after a restart: already known
        }

        Version++;
        producer.Newest = Math.Max(producer.Newest, sequence);
        producer.Recent.Enqueue((sequence, range));
        if (producer.Recent.Count > Window)
        {
            producer.Recent.Dequeue();
        }
    }

    /// <summary>Forgets every producer (the entry went back to its files; replaying the journal records them again).</summary>
    public void Clear()
    {
        _producers.Clear();
        Version++;
    }

    private sealed class Producer
    {
        public long Newest { get; set; } = long.MinValue;

        public Queue<(long Sequence, IndexRange Range)> Recent { get; } = new();
    }
}
