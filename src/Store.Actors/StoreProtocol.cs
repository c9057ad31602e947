using Store.Core;
using Store.Core.Arrays;

namespace Store.Actors;

/// <summary>
/// The messages of the actor store, in one place. Clients send commands to the
/// <see cref="StoreCoordinator"/>, which routes each to the <see cref="PathActor"/> of its path.
/// Commands are imperative, replies come in success/failure pairs (failures carry the same typed
/// <see cref="StoreException"/> the in-process stores throw), and journal events are past tense.
/// Data is an <c>NdArray</c> in an array store and a <c>Table</c> in a table store.
/// </summary>
public static class StoreProtocol
{
    /// <summary>A command for the actor that owns <see cref="Path"/>.</summary>
    public abstract record PathCommand(string Path);

    /// <summary>Without a view, creates or replaces the entry; with one, writes into that region. Replies <see cref="Written"/> or <see cref="WriteFailed"/>.</summary>
    public sealed record Write(string Path, object Data, object? View = null) : PathCommand(Path);

    /// <summary>
    /// Adds <see cref="Data"/> to the end of the entry. A producer that may retry gives its id and a
    /// sequence number growing per producer: a duplicate is acknowledged with the original range and
    /// not applied again. Replies <see cref="Appended"/> or <see cref="AppendFailed"/>.
    /// </summary>
    public sealed record Append(string Path, object Data, string? ProducerId = null, long Sequence = 0) : PathCommand(Path);

    /// <summary>An in-memory copy of the entry or of the view's part. Replies <see cref="ReadResult"/> (null value: no entry) or <see cref="ReadFailed"/>.</summary>
    public sealed record Read(string Path, object? View = null) : PathCommand(Path);

    /// <summary>A live lazy reference to the entry. Replies <see cref="ReadResult"/> or <see cref="ReadFailed"/>.</summary>
    public sealed record Get(string Path) : PathCommand(Path);

    /// <summary>An array's shape (<c>long[]</c>) or a table's row count (<c>long</c>). Replies <see cref="ReadResult"/> or <see cref="ReadFailed"/>.</summary>
    public sealed record Shape(string Path) : PathCommand(Path);

    /// <summary>A table query by key columns and filter text. Replies <see cref="ReadResult"/> or <see cref="ReadFailed"/>.</summary>
    public sealed record Query(string Path, string? EnsId = null, string? RunId = null, long? MicroId = null, string? Filter = null) : PathCommand(Path);

    /// <summary>Rewrites a table's stored rows as one part file (<c>TableStore.Compact</c>). Replies <see cref="ReadResult"/> (whether anything was rewritten) or <see cref="ReadFailed"/>.</summary>
    public sealed record Compact(string Path) : PathCommand(Path);

    /// <summary>An array's dtype (a <c>DType</c>). Replies <see cref="ReadResult"/> (null value: no entry) or <see cref="ReadFailed"/>.</summary>
    public sealed record DTypeOf(string Path) : PathCommand(Path);

    /// <summary>One column of a table as a single Arrow array. Replies <see cref="ReadResult"/> (null value: no table) or <see cref="ReadFailed"/>.</summary>
    public sealed record ReadColumn(string Path, string Column) : PathCommand(Path);

    /// <summary>
    /// How to stream an array in blocks along axis 0 without holding its actor: the views
    /// <c>ArrayStore.IterViews</c> gives (one per block, rows fixed when this command is applied),
    /// each then read with its own <see cref="Read"/>. Replies <see cref="ReadResult"/> (an
    /// <c>IEnumerable&lt;ArrayView&gt;</c>; null value: no entry) or <see cref="ReadFailed"/>.
    /// </summary>
    public sealed record IterViews(string Path, IReadOnlyList<long>? Elements = null, ArrayView? View = null, int? ChunkSize = null) : PathCommand(Path);

    /// <summary>Commands for one path applied in order as one message; replies <see cref="BatchReplies"/> in the same order.</summary>
    public sealed record CommandBatch(string Path, IReadOnlyList<PathCommand> Commands);

    /// <summary>The replies to a <see cref="CommandBatch"/>, one per command, in order.</summary>
    public sealed record BatchReplies(IReadOnlyList<object> Replies);

    /// <summary>The entry was written.</summary>
    public sealed record Written
    {
        /// <summary>The one instance.</summary>
        public static readonly Written Instance = new();
    }

    /// <summary>The write was refused; nothing changed.</summary>
    public sealed record WriteFailed(Exception Cause);

    /// <summary>The append was accepted (and journaled, when durable) at <see cref="Range"/>.</summary>
    public sealed record Appended(IndexRange Range, string? ProducerId, long Sequence);

    /// <summary>The append was refused; nothing changed.</summary>
    public sealed record AppendFailed(Exception Cause, string? ProducerId, long Sequence);

    /// <summary>What a read, get, shape or query found (null when there is no entry).</summary>
    public sealed record ReadResult(object? Value);

    /// <summary>The read was refused or the stored data could not be read.</summary>
    public sealed record ReadFailed(Exception Cause);

    /// <summary>
    /// Writes every path's changes to disk, or only <see cref="Path"/>'s when it is given (NPZ: the
    /// archive, which holds every entry). Replies <see cref="Flushed"/> or <see cref="FlushFailed"/>,
    /// whose report lists every path flushed (only <see cref="Path"/> when it is given).
    /// </summary>
    /// <param name="Path">The one entry path to flush, or null for all of them.</param>
    public sealed record Flush(string? Path = null)
    {
        /// <summary>Flush every path.</summary>
        public static readonly Flush Instance = new();
    }

    /// <summary>Every path flushed.</summary>
    public sealed record Flushed(FlushReport Report);

    /// <summary>Some paths did not flush (listed in the report with their causes); the others did.</summary>
    public sealed record FlushFailed(FlushReport Report);

    /// <summary>Every entry path, in memory or on disk. Replies <see cref="AvailableEntries"/>.</summary>
    public sealed record Available
    {
        /// <summary>The one instance.</summary>
        public static readonly Available Instance = new();
    }

    /// <summary>The entry paths, sorted.</summary>
    public sealed record AvailableEntries(IReadOnlyList<string> Paths);

    /// <summary>Coordinator to path actor: flush this path. Replies <see cref="PathFlushed"/> or <see cref="PathFlushFailed"/>.</summary>
    internal sealed record FlushPath
    {
        public static readonly FlushPath Instance = new();
    }

    /// <summary>
    /// Client to coordinator when the store closes: flush every path and, when journaled, delete every
    /// journal event the files now cover, waiting until the journal confirmed it (the close leaves no
    /// covered event behind). Replies <see cref="Flushed"/> or <see cref="FlushFailed"/>.
    /// </summary>
    internal sealed record Close
    {
        public static readonly Close Instance = new();
    }

    /// <summary>
    /// Coordinator to durable path actor when the store closes: flush this path, then delete the events
    /// the files cover (after the producer log's snapshot is saved). Replies <see cref="PathFlushed"/>
    /// once the journal confirmed the deletion, or <see cref="PathFlushFailed"/>.
    /// </summary>
    internal sealed record TrimPath
    {
        public static readonly TrimPath Instance = new();
    }

    /// <summary>The path's changes are on disk.</summary>
    internal sealed record PathFlushed(string Path);

    /// <summary>The path could not be flushed; its buffer is intact.</summary>
    internal sealed record PathFlushFailed(string Path, Exception Cause);

    /// <summary>Path actor to coordinator: buffered bytes passed the store's limit; flush the other paths too.</summary>
    internal sealed record MemoryPressure
    {
        public static readonly MemoryPressure Instance = new();
    }

    /// <summary>Path actor to coordinator, before it stops: why, so commands that reach it too late are answered with the cause.</summary>
    internal sealed record PathFailed(string Path, Exception Cause);

    /// <summary>Path actor to coordinator: idle with nothing unflushed, stop me.</summary>
    internal sealed record Passivate(string Path);

    /// <summary>
    /// Coordinator to path actor: stop once the commands already sent to you are answered. An
    /// ordinary message, so nothing in the mailbox before it is left to dead letters.
    /// </summary>
    internal sealed record StopPath
    {
        public static readonly StopPath Instance = new();
    }

    /// <summary>
    /// Path actor to coordinator, answering <see cref="StopPath"/>: commands that reached me after I
    /// asked to stop left changes unflushed, so I keep the path.
    /// </summary>
    internal sealed record StayActive
    {
        public static readonly StayActive Instance = new();
    }

    /// <summary>Cluster mode: <see cref="Message"/> for the entity of <see cref="Path"/>, through the shard region (it unwraps it).</summary>
    internal sealed record ToPath(string Path, object Message);

    /// <summary>Cluster mode, path actor to its node's <see cref="StoreNode"/>: I own this path now (the node flushes me with the others).</summary>
    internal sealed record EntityStarted(string Path);

    /// <summary>
    /// Cluster mode, path actor to its node's <see cref="StoreNode"/>, as it stops (handoff, passivation,
    /// a leaving node): what it held is in the files (<see cref="Cause"/> null) or, its last flush
    /// having failed with <see cref="Cause"/>, only in the journal, which its next owner replays.
    /// </summary>
    internal sealed record HandedOver(string Path, Exception? Cause);

    /// <summary>
    /// Cluster mode, a closing store to its node's <see cref="StoreNode"/> once the shard region has
    /// handed every path over: close the core store without flushing and answer what is still asked
    /// (nothing held) until the node leaves.
    /// </summary>
    internal sealed record CloseNode
    {
        public static readonly CloseNode Instance = new();
    }

    /// <summary>Cluster mode, a closing store to its node's <see cref="StoreNode"/>: how many paths do you hold (an int)?</summary>
    internal sealed record HeldPaths
    {
        public static readonly HeldPaths Instance = new();
    }

    /// <summary>An append as journaled: the data and the range it was given (so replay is idempotent), and its producer.</summary>
    internal sealed record EntryAppended(object Data, IndexRange Range, string? ProducerId, long Sequence);

    /// <summary>A write as journaled.</summary>
    internal sealed record EntryWritten(object Data, object? View);

    /// <summary>The changes of one batch as one journal event (<see cref="EntryAppended"/>s and <see cref="EntryWritten"/>s in order): one row, one write.</summary>
    internal sealed record EntryChanges(IReadOnlyList<object> Changes);
}
