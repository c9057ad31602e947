using Akka.Actor;
using Store.Core;
using Store.Core.Tables;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Tables by path through actors: many threads, actors and services may append rows at once.
/// Same formats, errors and semantics as <see cref="TableStore"/>.
/// </summary>
public sealed class TableActorStore : ActorStore
{
    private TableActorStore((EntryOps? Ops, ActorSystem System, bool OwnsSystem) started, ActorStoreOptions options)
        : base(started.System, started.OwnsSystem, StoreKind.Table, started.Ops, options)
    {
    }

    /// <summary>Opens the store in an actor system of its own (stopped on dispose).</summary>
    /// <exception cref="StoreModeException">The root does not satisfy the mode.</exception>
    public static TableActorStore Open(ActorStoreOptions options) => new(Start(StoreKind.Table, null, options), options);

    /// <summary>Opens the store in <paramref name="system"/>, whose configuration must include <see cref="StoreActorConfig.For"/> of these options.</summary>
    /// <exception cref="StoreModeException">The root does not satisfy the mode.</exception>
    public static TableActorStore Open(ActorSystem system, ActorStoreOptions options) => new(Start(StoreKind.Table, system, options), options);

    /// <summary>Without a view, creates or replaces the table; with one, writes into those rows and columns.</summary>
    /// <exception cref="StoreException">The write was refused (see <see cref="TableStore.Write"/>); nothing changed.</exception>
    public Task WriteAsync(string path, Table data, TableView? view = null, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(new Write(path, data, view), cancellationToken);

    /// <summary>
    /// Appends rows (creating the table when missing) and returns the row indices they were given.
    /// With a producer id and sequence number, a retried append is not applied twice.
    /// </summary>
    /// <exception cref="SchemaException">A missing, extra or retyped column; nothing changed.</exception>
    public Task<IndexRange> AppendAsync(string path, Table data, string? producerId = null, long sequence = 0, CancellationToken cancellationToken = default) =>
        AppendCoreAsync(new Append(path, data, producerId, sequence), cancellationToken);

    /// <summary>An in-memory copy of the table or of the view's rows and columns, or null when there is none.</summary>
    public async Task<Table?> ReadAsync(string path, TableView? view = null, CancellationToken cancellationToken = default) =>
        (Table?)await ReadCoreAsync(new Read(path, view), cancellationToken).ConfigureAwait(false);

    /// <summary>A live handle that reads only what is asked of it, or null when there is no table.</summary>
    public async Task<TableReference?> GetAsync(string path, CancellationToken cancellationToken = default) =>
        (TableReference?)await ReadCoreAsync(new Get(path), cancellationToken).ConfigureAwait(false);

    /// <summary>The table's row count, or null when there is no table.</summary>
    public async Task<long?> ShapeAsync(string path, CancellationToken cancellationToken = default) =>
        (long?)await ReadCoreAsync(new Shape(path), cancellationToken).ConfigureAwait(false);

    /// <summary>One column of the table as a single Arrow array, or null when there is no table.</summary>
    /// <exception cref="SchemaException">No such column (the nearest name is suggested).</exception>
    public async Task<Apache.Arrow.IArrowArray?> ReadColumnAsync(string path, string column, CancellationToken cancellationToken = default) =>
        (Apache.Arrow.IArrowArray?)await ReadCoreAsync(new ReadColumn(path, column), cancellationToken).ConfigureAwait(false);

    /// <summary>The rows matching the key columns and the filter (see <see cref="TableStore.Query"/>), or null when there is no table.</summary>
    /// <exception cref="SchemaException">A key is given that the table has no column for; the key column is named.</exception>
    /// <exception cref="FilterException">A malformed filter, an unknown column or a type mismatch; the message quotes the filter and the position.</exception>
    public async Task<Table?> QueryAsync(string path, string? ensId = null, string? runId = null, long? microId = null, string? filter = null, CancellationToken cancellationToken = default) =>
        (Table?)await ReadCoreAsync(new Query(path, ensId, runId, microId, filter), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Rewrites the table's flushed rows as one part file, in its actor (so between its other
    /// commands); see <see cref="TableStore.Compact"/>. Rows not flushed yet stay buffered.
    /// </summary>
    /// <returns>Whether anything was rewritten.</returns>
    /// <exception cref="EntryNotFoundException">No such table.</exception>
    /// <exception cref="StoreModeException">The store is read-only.</exception>
    public async Task<bool> CompactAsync(string path, CancellationToken cancellationToken = default) =>
        (bool)(await ReadCoreAsync(new Compact(path), cancellationToken).ConfigureAwait(false))!;
}
