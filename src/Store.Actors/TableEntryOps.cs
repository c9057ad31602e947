using Store.Core;
using Store.Core.Tables;

namespace Store.Actors;

/// <summary><see cref="EntryOps"/> over a <see cref="TableStore"/>: data is <see cref="Table"/>, views <see cref="TableView"/>.</summary>
internal sealed class TableEntryOps(TableStore store) : EntryOps<Table, TableView, TableReference>(store, "a table", "a table view")
{
    public TableEntryOps(ActorStoreOptions options)
        : this(new TableStore(options.Root, StoreModes.Parse(options.Mode), options.DiskFormat))
    {
    }

    public override object? Shape(string path) => store.Get(path)?.RowCount;

    public override object? Query(StoreProtocol.Query query) =>
        store.Query(query.Path, query.EnsId, query.RunId, query.MicroId, query.Filter);

    public override long Length(string path) => store.Get(path)?.RowCount ?? 0;

    public override long SizeOf(object data) => (data as Table)?.BufferBytes ?? 0;
}
