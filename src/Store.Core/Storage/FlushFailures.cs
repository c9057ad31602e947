namespace Store.Core.Storage;

/// <summary>Collects per-entry flush failures so one bad entry never stops the others, and reports them all.</summary>
internal sealed class FlushFailures
{
    private readonly List<(string Path, Exception Error)> _failures = [];

    /// <summary>Runs <paramref name="flush"/> for <paramref name="path"/>, recording a store or I/O failure instead of throwing.</summary>
    public void Run(string path, Action flush)
    {
        try
        {
            flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StoreException)
        {
            _failures.Add((path, e));
        }
    }

    /// <summary>Throws one <see cref="StoreException"/> naming every failed entry, if any failed.</summary>
    public void ThrowIfAny(int total)
    {
        if (_failures.Count == 0)
        {
            return;
        }

        throw new StoreException(
            $"Flush failed for {_failures.Count} of {total} entries: " +
            string.Join("; ", _failures.Select(f => $"'{f.Path}': {f.Error.Message}")),
            _failures[0].Path,
            _failures.Count == 1 ? _failures[0].Error : new AggregateException(_failures.Select(f => f.Error)));
    }
}
