namespace Store.Core.Arrays;

/// <summary>
/// What <see cref="ArrayStore.Get"/> returns: a live handle on one entry that reads only the
/// selection asked of it, seeing every change made to the entry so far (like a zarr array or a
/// memory-mapped numpy array). Flushed NPY data is read through a memory map.
/// </summary>
public sealed class ArrayReference
{
    private readonly ArrayEntry _entry;

    internal ArrayReference(ArrayEntry entry)
    {
        _entry = entry;
    }

    /// <summary>The entry's path.</summary>
    public string Path => _entry.Path;

    /// <summary>The entry's current shape.</summary>
    public long[] Shape => _entry.Shape ?? throw Missing();

    /// <summary>The entry's dtype.</summary>
    public DType DType => _entry.DType ?? throw Missing();

    /// <summary>Reads the selection (everything when <paramref name="view"/> is null) into memory.</summary>
    public NdArray Read(ArrayView? view = null) => _entry.Read(view) ?? throw Missing();

    /// <summary>Reads the selection written as numpy index text, for example <c>"5:10, 0"</c>.</summary>
    public NdArray this[string view] => Read(ArrayView.Parse(view));

    private EntryNotFoundException Missing() => new($"Entry '{Path}' no longer exists.", Path);
}
