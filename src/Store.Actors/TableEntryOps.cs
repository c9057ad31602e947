using Store.Core;
using Store.Core.Tables;

namespace Store.Actors;

/// <summary><see cref="EntryOps"/> over a <see cref="TableStore"/>: data is <see cref="Table"/>, views <see cref="TableView"/>.</summary>
internal sealed class TableEntryOps(TableStore store) : EntryOps<Table, TableView, TableReference>(store, "a table", "a table view")
{
    public TableEntryOps(ActorStoreOptions options)
        : this(new TableStore(options.Root, StoreModes.Parse(options.Mode), options.DiskFormat, options.Cluster is null ? null : options.StoreId) { MaxResultBytes = options.MaxResultBytes })
    {
    }

    public override object? Shape(string path) => store.Get(path)?.RowCount;

    public override object? Query(StoreProtocol.Query query) =>
        store.Query(query.Path, query.EnsId, query.RunId, query.MicroId, query.Filter);

    public override object? Compact(string path) => store.Compact(path);

    public override object? DTypeOf(string path) =>
        throw new StoreException($"Cannot give the dtype of '{path}': dtypes belong to arrays, and this store holds tables (each column has its own type).", path);

    public override object? ReadColumn(string path, string column) => store.ReadColumn(path, column);

    public override object? IterViews(StoreProtocol.IterViews iter) =>
        throw new StoreException($"Cannot iterate '{iter.Path}' in array blocks: this store holds tables; read row ranges with a TableView instead.", iter.Path);

    public override long Length(string path) => store.Get(path)?.RowCount ?? 0;
}
