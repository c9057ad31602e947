using Store.Core;
using Store.Core.Arrays;

namespace Store.Actors;

/// <summary><see cref="EntryOps"/> over an <see cref="ArrayStore"/>: data is <see cref="NdArray"/>, views <see cref="ArrayView"/>.</summary>
internal sealed class ArrayEntryOps(ArrayStore store) : EntryOps<NdArray, ArrayView, ArrayReference>(store, "an array", "an array view")
{
    public ArrayEntryOps(ActorStoreOptions options)
        : this(new ArrayStore(options.Root, StoreModes.Parse(options.Mode), options.DiskFormat, zarr: options.Zarr, clusterId: options.Cluster is null ? null : options.StoreId))
    {
    }

    public override object? Shape(string path) => store.Shape(path);

    public override object? Query(StoreProtocol.Query query) =>
        throw new StoreException($"Cannot query '{query.Path}': queries filter tables, and this store holds arrays.", query.Path);

    public override object? DTypeOf(string path) => store.DTypeOf(path);

    public override object? ReadColumn(string path, string column) =>
        throw new StoreException($"Cannot read column '{column}' of '{path}': columns belong to tables, and this store holds arrays.", path);

    public override object? IterViews(StoreProtocol.IterViews iter) => store.IterViews(iter.Path, iter.Elements, iter.View, iter.ChunkSize);

    public override long Length(string path) => store.Shape(path) is [var rows, ..] ? rows : 0;
}
