using Store.Core;
using Store.Core.Arrays;

namespace Store.Actors;

/// <summary><see cref="EntryOps"/> over an <see cref="ArrayStore"/>: data is <see cref="NdArray"/>, views <see cref="ArrayView"/>.</summary>
internal sealed class ArrayEntryOps(ActorStoreOptions options) : EntryOps
{
    private readonly ArrayStore _store = new(options.Root, StoreModes.Parse(options.Mode), options.DiskFormat, zarr: options.Zarr);

    public override DataStore Store => _store;

    public override IndexRange Append(string path, object data) => _store.Append(path, Expect<NdArray>(path, data, "an array"));

    public override void Write(string path, object data, object? view) =>
        _store.Write(path, Expect<NdArray>(path, data, "an array"), view is null ? null : Expect<ArrayView>(path, view, "an array view"));

    public override object? Read(string path, object? view) =>
        _store.Read(path, view is null ? null : Expect<ArrayView>(path, view, "an array view"));

    public override object? Get(string path) => _store.Get(path);

    public override object? Shape(string path) => _store.Shape(path);

    public override object? Query(StoreProtocol.Query query) =>
        throw new StoreException($"Cannot query '{query.Path}': queries filter tables, and this store holds arrays.", query.Path);

    public override long Length(string path) => _store.Shape(path) is [var rows, ..] ? rows : 0;

    public override long SizeOf(object data) => (data as NdArray)?.Bytes.Length ?? 0;

    protected override void FlushEntry(string path) => _store.Flush(path);
}
