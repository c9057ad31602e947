namespace Store.Core.Arrays;

/// <summary>
/// A view applied to a concrete shape: bounds checked, negative indices and slice defaults
/// resolved the way numpy resolves them. Enumerates the contiguous byte runs it selects.
/// </summary>
internal sealed class ResolvedView
{
    private ResolvedView(long[] sourceShape, AxisPick[] picks)
    {
        SourceShape = sourceShape;
        Picks = picks;
        OutputShape = picks.Where(p => !p.Drop).Select(p => p.Count).ToArray();
    }

    /// <summary>The shape the view was resolved against.</summary>
    public long[] SourceShape { get; }

    /// <summary>One pick per source axis.</summary>
    public AxisPick[] Picks { get; }

    /// <summary>The shape of the selection (dropped axes removed).</summary>
    public long[] OutputShape { get; }

    /// <summary>Resolves <paramref name="view"/> (null: everything) against <paramref name="shape"/>.</summary>
    /// <exception cref="ShapeException">More selectors than axes, an index out of bounds, a zero step.</exception>
    public static ResolvedView Resolve(ArrayView? view, ReadOnlySpan<long> shape, string? path = null)
    {
        var axes = view?.Axes ?? [];
        if (axes.Length > shape.Length)
        {
            throw new ShapeException(
                $"View [{view}] selects {axes.Length} axes but the array has shape {Shapes.Format(shape)}.", path);
        }

        var picks = new AxisPick[shape.Length];
        for (var axis = 0; axis < shape.Length; axis++)
        {
            var selector = axis < axes.Length ? axes[axis] : AxisSelector.All;
            picks[axis] = ResolveAxis(selector, axis, shape[axis], path);
        }

        return new ResolvedView(shape.ToArray(), picks);
    }

    /// <summary>The same view with axis 0 narrowed to the listed source rows.</summary>
    public ResolvedView WithAxis0(long[] rows)
    {
        var picks = (AxisPick[])Picks.Clone();
        var consecutive = rows.Length > 0 && rows[^1] - rows[0] == rows.Length - 1 && rows.Zip(rows.Skip(1)).All(p => p.Second == p.First + 1);
        picks[0] = consecutive
            ? new AxisPick(rows[0], 1, rows.Length, null, Drop: false)
            : new AxisPick(0, 1, rows.Length, rows, Drop: false);
        return new ResolvedView(SourceShape, picks);
    }

    /// <summary>
    /// Calls <paramref name="visitor"/> for every contiguous run of selected source bytes, in
    /// output order; target offsets are consecutive from 0.
    /// </summary>
    public void ForEachRun<TVisitor>(int itemSize, ref TVisitor visitor) where TVisitor : struct, IRunVisitor
    {
        var rank = SourceShape.Length;
        if (Picks.Any(p => p.Count == 0))
        {
            return;
        }

        // Trailing whole axes are copied as one block per index of the axis before them.
        var inner = rank - 1;
        long blockBytes = itemSize;
        while (inner >= 0 && Picks[inner].IsWhole(SourceShape[inner]))
        {
            blockBytes *= SourceShape[inner];
            inner--;
        }

        if (inner < 0)
        {
            visitor.Visit(0, 0, blockBytes);
            return;
        }

        var byteStrides = Shapes.ElementStrides(SourceShape);
        for (var axis = 0; axis < rank; axis++)
        {
            byteStrides[axis] *= itemSize;
        }

        // A contiguous innermost pick merges into one run; otherwise it is walked index by index.
        var mergeInner = Picks[inner].IsContiguous;
        var runBytes = mergeInner ? blockBytes * Picks[inner].Count : blockBytes;
        var walked = mergeInner ? inner : inner + 1;

        var counters = new long[walked];
        long target = 0;
        while (true)
        {
            long source = 0;
            for (var axis = 0; axis < walked; axis++)
            {
                source += Picks[axis].At(counters[axis]) * byteStrides[axis];
            }

            if (mergeInner)
            {
                source += Picks[inner].At(0) * byteStrides[inner];
            }

            visitor.Visit(source, target, runBytes);
            target += runBytes;

            var carry = walked - 1;
            while (carry >= 0 && ++counters[carry] == Picks[carry].Count)
            {
                counters[carry] = 0;
                carry--;
            }

            if (carry < 0)
            {
                return;
            }
        }
    }

    private static AxisPick ResolveAxis(AxisSelector selector, int axis, long size, string? path)
    {
        switch (selector)
        {
            case AxisSelector.Index index:
                return new AxisPick(CheckIndex(index.Value, axis, size, path), 1, 1, null, Drop: true);
            case AxisSelector.IndexList list:
                var indices = new long[list.Values.Length];
                for (var i = 0; i < indices.Length; i++)
                {
                    indices[i] = CheckIndex(list.Values[i], axis, size, path);
                }

                return new AxisPick(0, 1, indices.Length, indices, Drop: false);
            case AxisSelector.Slice slice:
                return ResolveSlice(slice, axis, size, path);
            default:
                throw new ShapeException($"Unknown selector {selector} on axis {axis}.", path);
        }
    }

    private static AxisPick ResolveSlice(AxisSelector.Slice slice, int axis, long size, string? path)
    {
        var step = slice.Step;
        if (step == 0)
        {
            throw new ShapeException($"Slice {slice} on axis {axis} has step 0.", path);
        }

        // numpy's rules (PySlice_AdjustIndices). Clamped bounds lie in [-1, size], so their
        // difference cannot overflow; the count is (distance - 1) / |step| + 1, divided without
        // negating the step (-long.MinValue does not exist) or adding it to anything.
        long start, stop, count;
        if (step > 0)
        {
            start = Clamp(slice.Start ?? 0, size, 0, size);
            stop = Clamp(slice.Stop ?? size, size, 0, size);
            count = stop > start ? ((stop - start - 1) / step) + 1 : 0;
        }
        else
        {
            start = slice.Start is { } s ? Clamp(s, size, -1, size - 1) : size - 1;
            stop = slice.Stop is { } e ? Clamp(e, size, -1, size - 1) : -1;
            count = start > stop ? 1 - ((start - stop - 1) / step) : 0;
        }

        return new AxisPick(start, step, count, null, Drop: false);
    }

    private static long Clamp(long index, long size, long low, long high)
    {
        if (index < 0)
        {
            index += size;
        }

        return Math.Clamp(index, low, high);
    }

    private static long CheckIndex(long index, int axis, long size, string? path)
    {
        var resolved = index < 0 ? index + size : index;
        if (resolved < 0 || resolved >= size)
        {
            throw new ShapeException($"Index {index} is out of bounds for axis {axis} of size {size}.", path);
        }

        return resolved;
    }
}
