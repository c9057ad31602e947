using System.Collections.Immutable;

namespace Store.Core.Arrays;

/// <summary>
/// What a view takes from one axis: a single index (the axis is dropped, as in numpy), a slice
/// with a step, or a list of indices. Negative indices count from the end; slices clamp to the
/// axis as numpy's do, while single indices and list entries out of bounds are errors. Lists on
/// several axes select their outer product (zarr's <c>oindex</c>), not numpy's zipped indexing.
/// </summary>
public abstract record AxisSelector
{
    private AxisSelector()
    {
    }

    /// <summary>The whole axis (<c>:</c>).</summary>
    public static AxisSelector All { get; } = new Slice();

    /// <summary>A single index; the axis is dropped from the result.</summary>
    public static AxisSelector At(long index) => new Index(index);

    /// <summary>The slice <c>start:stop:step</c>; null bounds mean the ends of the axis.</summary>
    public static AxisSelector Range(long? start, long? stop, long step = 1) => new Slice(start, stop, step);

    /// <summary>The listed indices, in the order given (repeats allowed).</summary>
    public static AxisSelector Take(params long[] indices) => new IndexList([.. indices]);

    /// <summary>A single index; the axis is dropped from the result.</summary>
    /// <param name="Value">The index; negative counts from the end.</param>
    public sealed record Index(long Value) : AxisSelector
    {
        /// <inheritdoc />
        public override string ToString() => Value.ToString();
    }

    /// <summary>A numpy slice <c>start:stop:step</c>.</summary>
    /// <param name="Start">First index, or null for the start of the axis (the end when the step is negative).</param>
    /// <param name="Stop">Index to stop before, or null for past the end of the axis.</param>
    /// <param name="Step">Distance between taken indices; not zero.</param>
    public sealed record Slice(long? Start = null, long? Stop = null, long Step = 1) : AxisSelector
    {
        /// <inheritdoc />
        public override string ToString() => Step == 1 ? $"{Start}:{Stop}" : $"{Start}:{Stop}:{Step}";
    }

    /// <summary>A list of indices, taken in order.</summary>
    /// <param name="Values">The indices; negative counts from the end.</param>
    public sealed record IndexList(ImmutableArray<long> Values) : AxisSelector
    {
        /// <inheritdoc />
        public override string ToString() => "[" + string.Join(", ", Values) + "]";

        /// <inheritdoc />
        public bool Equals(IndexList? other) => other is not null && Values.SequenceEqual(other.Values);

        /// <inheritdoc />
        public override int GetHashCode() => Values.Length;
    }
}
