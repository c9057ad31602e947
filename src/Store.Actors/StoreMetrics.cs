using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Store.Actors;

/// <summary>
/// The <c>Store</c> meter (System.Diagnostics.Metrics): appends and flushes counted by the clients,
/// flush durations, and, observed from every open store, bytes buffered and journal lag. Every
/// measurement is tagged with the store's kind and root.
/// </summary>
public static class StoreMetrics
{
    /// <summary>The meter's name, for listeners and exporters.</summary>
    public const string MeterName = "Store";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<ActorStore, KeyValuePair<string, object?>[]> Open = new();

    private static readonly Counter<long> Appends = Meter.CreateCounter<long>(
        "store.appends", "{append}", "Appends acknowledged.");

    private static readonly Counter<long> AppendedRows = Meter.CreateCounter<long>(
        "store.appended_rows", "{row}", "Rows (axis-0 positions) appended.");

    private static readonly Counter<long> Flushes = Meter.CreateCounter<long>(
        "store.flushes", "{flush}", "Flushes, tagged with their outcome.");

    private static readonly Histogram<double> FlushDuration = Meter.CreateHistogram<double>(
        "store.flush.duration", "s", "How long a flush of a whole store took.");

    static StoreMetrics()
    {
        Meter.CreateObservableGauge("store.buffered_bytes", () => Measure(s => s.BufferedBytes), "By",
            "Bytes accepted and not yet flushed to files.");
        Meter.CreateObservableGauge("store.journal.lag", () => Measure(s => s.Journaled ? s.BufferedBytes : 0), "By",
            "Bytes journaled and not yet flushed to files (what a restart would replay).");
    }

    internal static void Track(ActorStore store) =>
        Open[store] = [new("store.kind", store.Kind.ToString()), new("store.root", store.Root)];

    internal static void Untrack(ActorStore store) => Open.TryRemove(store, out _);

    internal static void Appended(ActorStore store, long rows)
    {
        var tags = Tags(store);
        Appends.Add(1, tags);
        AppendedRows.Add(rows, tags);
    }

    internal static void Flushed(ActorStore store, TimeSpan duration, bool succeeded)
    {
        var tags = Tags(store);
        Flushes.Add(1, [.. tags, new("store.outcome", succeeded ? "ok" : "failed")]);
        FlushDuration.Record(duration.TotalSeconds, tags);
    }

    private static ReadOnlySpan<KeyValuePair<string, object?>> Tags(ActorStore store) =>
        Open.TryGetValue(store, out var tags) ? tags : [];

    private static IEnumerable<Measurement<long>> Measure(Func<ActorStore, long> value) =>
        Open.Select(open => new Measurement<long>(value(open.Key), open.Value));
}
