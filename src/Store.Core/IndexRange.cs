namespace Store.Core;

/// <summary>
/// The positions an append was given: rows <c>[Start, Start + Count)</c> along axis 0 of an
/// array, or row indices of a table.
/// </summary>
/// <param name="Start">The first index the appended data occupies.</param>
/// <param name="Count">How many indices it occupies.</param>
public readonly record struct IndexRange(long Start, long Count)
{
    /// <summary>One past the last index: <c>Start + Count</c>.</summary>
    public long End => Start + Count;
}
