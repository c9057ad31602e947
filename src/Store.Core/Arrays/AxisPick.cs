namespace Store.Core.Arrays;

/// <summary>One axis of a resolved view: the source indices taken, in output order.</summary>
internal readonly record struct AxisPick(long Start, long Step, long Count, long[]? List, bool Drop)
{
    /// <summary>The source index of the <paramref name="i"/>-th taken element.</summary>
    public long At(long i) => List is null ? Start + i * Step : List[i];

    /// <summary>Whether the pick takes the whole axis in order.</summary>
    public bool IsWhole(long size) => List is null && !Drop && Start == 0 && Step == 1 && Count == size;

    /// <summary>Whether the taken indices are consecutive and ascending.</summary>
    public bool IsContiguous => List is null && (Step == 1 || Count <= 1);
}
