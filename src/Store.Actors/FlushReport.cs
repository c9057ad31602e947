namespace Store.Actors;

/// <summary>What one flush did for each path: every path is listed, failed ones with their cause.</summary>
/// <param name="Outcomes">One outcome per path, sorted by path.</param>
public sealed record FlushReport(IReadOnlyList<PathFlushOutcome> Outcomes)
{
    /// <summary>The paths that did not flush.</summary>
    public IReadOnlyList<PathFlushOutcome> Failures => [.. Outcomes.Where(o => o.Error is not null)];

    /// <summary>Whether every path flushed.</summary>
    public bool Succeeded => Outcomes.All(o => o.Error is null);
}
