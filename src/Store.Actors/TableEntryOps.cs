using Store.Core;
using Store.Core.Tables;

namespace Store.Actors;

/// <summary><see cref="EntryOps"/> over a <see cref="TableStore"/>: data is <see cref="Table"/>, views <see cref="TableView"/>.</summary>
internal sealed class TableEntryOps(ActorStoreOptions options) : EntryOps
{
    private readonly TableStore _store = new(options.Root, StoreModes.Parse(options.Mode), options.DiskFormat);

    public override DataStore Store => _store;

    public override IndexRange Append(string path, object data) => _store.Append(path, Expect<Table>(path, data, "a table"));

    public override void Write(string path, object data, object? view) =>
        _store.Write(path, Expect<Table>(path, data, "a table"), view is null ? null : Expect<TableView>(path, view, "a table view"));

    public override object? Read(string path, object? view) =>
        _store.Read(path, view is null ? null : Expect<TableView>(path, view, "a table view"));

    public override object? Get(string path) => _store.Get(path);

    public override object? Shape(string path) => _store.Get(path)?.RowCount;

    public override object? Query(StoreProtocol.Query query) =>
        _store.Query(query.Path, query.EnsId, query.RunId, query.MicroId, query.Filter);

    public override long Length(string path) => _store.Get(path)?.RowCount ?? 0;

    public override long SizeOf(object data) =>
        data is Table table
            ? table.Batches.Sum(b => b.Arrays.Sum(a => a.Data.Buffers.Sum(buffer => (long)buffer.Length)))
            : 0;

    protected override void FlushEntry(string path) => _store.Flush(path);
}
