using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// The client of an actor store: the seed's store operations as tasks, over a
/// <see cref="StoreCoordinator"/> and one actor per path. Safe to call from any number of threads;
/// each caller's operations on a path apply in the order it called them, and failures are the
/// same <see cref="StoreException"/> types the in-process stores throw.
/// </summary>
public abstract class ActorStore : IAsyncDisposable, IDisposable
{
    /// <summary>
    /// The coordinated-shutdown phase in which a store that was not disposed is flushed: after the
    /// services that write stopped (<c>service-stop</c>), before cluster sharding hands path actors off.
    /// </summary>
    public const string ShutdownPhase = "before-cluster-shutdown";

    private readonly ActorSystem _system;
    private readonly Func<object, IndexRange> _appendResult; // one delegate per store, not one per append
    private readonly bool _ownsSystem;
    private readonly ActorStoreOptions _options;
    private readonly ConcurrentDictionary<string, PathQueue> _queues = new(StringComparer.Ordinal);
    private readonly BufferBudget _budget;

    // Cluster mode: how long a shutting-down shard region that holds no path may wait before it is stopped (see HandOverRegionAsync).
    private static readonly TimeSpan RegionIdleBeforeStop = TimeSpan.FromSeconds(3);

    // Cluster mode: the most one message to a path may carry (see PathQueue); otherwise no limit.
    private readonly long _maxMessageBytes = long.MaxValue;

    // Cluster mode on a store node: this node's shard region and StoreNode (null otherwise).
    private readonly IActorRef? _region;
    private readonly IActorRef? _node;

    // A store in this process: fails local batches whose answer is overdue (PathQueue.ExpireOverdue).
    private readonly Timer? _overdue;
    private int _disposed;

    private protected ActorStore(ActorSystem system, bool ownsSystem, StoreKind kind, EntryOps? ops, ActorStoreOptions options)
    {
        _system = system;
        _ownsSystem = ownsSystem;
        _appendResult = AppendResult;
        _options = options;
        Root = ops?.Store.Path ?? Path.GetFullPath(options.Root);
        Mode = ops?.Store.Mode ?? StoreModes.Parse(options.Mode);
        DiskFormat = ops?.Store.DiskFormat ?? options.DiskFormat ?? DiskFormat.None;
        Kind = kind;
        Journaled = StoreActorConfig.IsJournaled(options);
        _budget = new BufferBudget(options.MaxBufferedBytes, options.MaxPendingCommands);
        if (options.Cluster is { } cluster)
        {
            // Every message may cross the network: no more than remoting's frame, less a margin for the envelope.
            _maxMessageBytes = (system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", 128_000) ?? 128_000) - (8 * 1024);
            (Coordinator, _region, _node) = StartCluster(system, kind, ops, options, cluster);
        }
        else
        {
            Coordinator = system.ActorOf(StoreCoordinator.Props(ops!, options, $"{kind}|{options.StoreId ?? Root}", _budget));

            // Weakly held, as the shutdown task below holds the store: a timer does not keep it alive.
            var period = TimeSpan.FromMilliseconds(Math.Clamp(options.AskTimeout.TotalMilliseconds / 4, 10, 1000));
            _overdue = new Timer(ExpireOverdue, new WeakReference<ActorStore>(this), period, period);
        }

        _budget.Pressure = () => Coordinator.Tell(MemoryPressure.Instance);
        StoreMetrics.Track(this);

        // SIGTERM, ProcessExit or Terminate() run the system's coordinated shutdown: a store nobody
        // disposed is flushed there (a disposed one is let go: the task holds it weakly).
        var store = new WeakReference<ActorStore>(this);
        CoordinatedShutdown.Get(system).AddTask(ShutdownPhase, $"store-close-{kind}", () =>
            store.TryGetTarget(out var open) ? open.CloseOnShutdownAsync() : Task.FromResult(Done.Instance));
    }

    // Cluster mode: on a store node, a StoreNode over this node's core store and the shard region
    // whose entities are the paths (remembered in the journal, handed over with StopPath); on a
    // client node, a proxy to the region. Either way a ClusterCoordinator is what clients talk to.
    private (IActorRef Coordinator, IActorRef? Region, IActorRef? Node) StartCluster(ActorSystem system, StoreKind kind, EntryOps? ops, ActorStoreOptions options, ClusterStoreOptions cluster)
    {
        var storeId = options.StoreId!;
        var nodeName = StoreNode.NameFor(kind, storeId);
        var typeName = $"store-{kind.ToString().ToLowerInvariant()}-{storeId}";
        var extractor = new PathMessageExtractor(cluster.NumberOfShards);
        var sharding = ClusterSharding.Get(system);
        if (ops is null)
        {
            var proxy = sharding.StartProxy(typeName, cluster.Role, extractor);
            return (system.ActorOf(ClusterCoordinator.Props(proxy, null, nodeName, cluster.Role, options.FlushTimeout)), null, null);
        }

        var node = system.ActorOf(StoreNode.Props(ops, options), nodeName);
        var settings = ClusterShardingSettings.Create(system).WithRole(cluster.Role).WithRememberEntities(true).WithStateStoreMode(StateStoreMode.DData);
        var journalName = StoreActorConfig.JournalName(options);
        var budget = _budget;
        var region = sharding.Start(
            typeName,
            path => DurablePathActor.Props(new PathWork(path, ops, budget), $"store|{kind}|{storeId}|{path}", journalName, options.PassivateAfter, options.JournalTrimEvents, node, _maxMessageBytes),
            settings,
            extractor,
            sharding.DefaultShardAllocationStrategy(settings),
            StopPath.Instance);
        return (system.ActorOf(ClusterCoordinator.Props(region, node, nodeName, cluster.Role, options.FlushTimeout)), region, node);
    }

    /// <summary>The root folder (full path), or what was given for a memory-only store.</summary>
    public string Root { get; }

    /// <summary>The mode the store was opened in.</summary>
    public StoreMode Mode { get; }

    /// <summary>The format flushes write.</summary>
    public DiskFormat DiskFormat { get; }

    /// <summary>Whether the store holds arrays or tables.</summary>
    public StoreKind Kind { get; }

    /// <summary>Whether acknowledged changes are journaled before they are acknowledged.</summary>
    public bool Journaled { get; }

    /// <summary>
    /// Bytes the store holds against <see cref="ActorStoreOptions.MaxBufferedBytes"/>: accepted and not
    /// yet flushed to files (journaled ones included), plus sent or rented by callers and not yet answered.
    /// </summary>
    public long BufferedBytes => _budget.Used;

    /// <summary>The store's memory budget, shared with its actors.</summary>
    private protected BufferBudget Budget => _budget;

    /// <summary>The actor system the store runs in.</summary>
    public ActorSystem System => _system;

    /// <summary>The store's coordinator, for actors that send <see cref="StoreProtocol"/> commands themselves.</summary>
    public IActorRef Coordinator { get; }

    /// <summary>
    /// Writes every path's changes acknowledged before this call to disk (and, when durable, trims
    /// the journal). Every path is attempted; the report lists each path's outcome.
    /// </summary>
    /// <exception cref="StoreException">Some paths did not flush (each is named with its cause); the others did.</exception>
    /// <exception cref="ObjectDisposedException">The store was closed (disposed, or by its actor system's shutdown).</exception>
    public Task<FlushReport> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return FlushCoreAsync(StoreProtocol.Flush.Instance, cancellationToken);
    }

    // A Flush, or a Close (which also deletes every journal event the files cover); the report, or the failures thrown.
    private async Task<FlushReport> FlushCoreAsync(object request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var answer = await Coordinator.Ask<object>(request, _options.FlushTimeout + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        StoreMetrics.Flushed(this, Stopwatch.GetElapsedTime(started), answer is Flushed);
        return answer switch
        {
            Flushed flushed => flushed.Report,
            FlushFailed failed => throw new StoreException(
                $"Flush failed for {failed.Report.Failures.Count} of {failed.Report.Outcomes.Count} paths: " +
                string.Join("; ", failed.Report.Failures.Select(f => $"'{f.Path}': {f.Error!.Message}")),
                failed.Report.Failures[0].Path,
                failed.Report.Failures.Count == 1 ? failed.Report.Failures[0].Error : new AggregateException(failed.Report.Failures.Select(f => f.Error!))),
            _ => throw Unexpected(answer),
        };
    }

    /// <summary>
    /// Writes one path's changes acknowledged before this call to disk (NPZ: the archive, which holds
    /// every entry), through the coordinator to that path's actor; other paths keep their buffers.
    /// When durable, the path's covered journal events are trimmed as after <see cref="FlushAsync(CancellationToken)"/>.
    /// A path with nothing to write (or no entry) flushes nothing and succeeds.
    /// </summary>
    /// <returns>A report with the one path's outcome.</returns>
    /// <exception cref="StoreException">
    /// The path's flush failed: the cause as the in-process store raises it (for example a
    /// <see cref="StoreModeException"/> in mode <c>r</c>, an <see cref="InvalidPathException"/>);
    /// the path keeps its buffer.
    /// </exception>
    public async Task<FlushReport> FlushAsync(string path, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var answer = await Coordinator.Ask<object>(new StoreProtocol.Flush(path), _options.FlushTimeout + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        StoreMetrics.Flushed(this, Stopwatch.GetElapsedTime(started), answer is Flushed);
        switch (answer)
        {
            case Flushed flushed:
                return flushed.Report;
            case FlushFailed failed:
                ExceptionDispatchInfo.Throw(failed.Report.Failures[0].Error!);
                return failed.Report;
            default:
                throw Unexpected(answer);
        }
    }

    /// <summary>Every entry path, in memory or on disk, sorted.</summary>
    public async Task<IReadOnlyList<string>> AvailableAsync(CancellationToken cancellationToken = default)
    {
        var answer = await Coordinator.Ask<object>(StoreProtocol.Available.Instance, _options.AskTimeout, cancellationToken).ConfigureAwait(false);
        return answer is AvailableEntries entries ? entries.Paths : throw Unexpected(answer);
    }

    /// <summary>
    /// Flushes a writable disk store, stops its actors (and the actor system when the store started it).
    /// A journaled store also deletes every event the files now cover, and compacts a SQLite journal
    /// file, so a cleanly closed store leaves a journal of a few pages.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            if (Mode.CanWrite() && DiskFormat != DiskFormat.None)
            {
                await FlushCoreAsync(Close.Instance, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await Coordinator.GracefulStop(_options.FlushTimeout).ConfigureAwait(false);
            if (_region is not null)
            {
                // This node stops holding the store: its shards move to the other store nodes (each
                // path actor flushes and lets go of its entry), then its core store closes. The node
                // actor stays until the node leaves, answering the cluster's flushes (with nothing held).
                await HandOverRegionAsync(_region, _node!).ConfigureAwait(false);
                await _node!.Ask<Done>(CloseNode.Instance, _options.FlushTimeout).ConfigureAwait(false);
            }

            if (_ownsSystem)
            {
                await _system.Terminate().ConfigureAwait(false);
            }

            if (Journaled && JournalCompaction.SqliteFile(_options) is { } journal)
            {
                JournalCompaction.TryCompact(journal);
            }

            if (_overdue is not null)
            {
                await _overdue.DisposeAsync().ConfigureAwait(false);
            }

            StoreMetrics.Untrack(this);
            GC.SuppressFinalize(this);
        }
    }

    // Shuts the shard region down gracefully: the coordinator moves its shards to the other store
    // nodes, each path actor flushing and letting go of its entry first. A region that holds no path
    // any more but still waits has only shards it cannot hand anywhere: those of store nodes that left
    // at the same moment, which the coordinator gives to no region that is shutting down (on the last
    // store node, ever). It is stopped: it holds nothing unflushed, and those paths start again on the
    // next store node that runs (remember-entities), replaying their journals.
    private async Task HandOverRegionAsync(IActorRef region, IActorRef node)
    {
        var stopped = region.GracefulStop(_options.FlushTimeout, GracefulShutdown.Instance);
        var idle = new Stopwatch();
        while (await Task.WhenAny(stopped, Task.Delay(250)).ConfigureAwait(false) != stopped)
        {
            if (await node.Ask<int>(HeldPaths.Instance, _options.AskTimeout).ConfigureAwait(false) > 0)
            {
                idle.Reset();
            }
            else if (!idle.IsRunning)
            {
                idle.Start();
            }
            else if (idle.Elapsed > RegionIdleBeforeStop)
            {
                _system.Log.Info("The {0} shard region of {1} holds no path but waits for shards it cannot hand over (store nodes leaving at once): stopped", Kind, Root);
                region.Tell(PoisonPill.Instance);
                break;
            }
        }

        await stopped.ConfigureAwait(false);
    }

    /// <summary>
    /// The coordinated-shutdown task of a store that was not disposed: flushes it as
    /// <see cref="DisposeAsync"/> does, within the phase's timeout, and stops its actors. What it cannot
    /// flush is logged as a warning naming the root and the bytes left unflushed.
    /// </summary>
    private async Task<Done> CloseOnShutdownAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return Done.Instance;
        }

        var log = _system.Log;
        try
        {
            if (!Mode.CanWrite() || DiskFormat == DiskFormat.None)
            {
                return Done.Instance;
            }

            // A second of the phase is left for the warning, before the system moves on and stops the actors.
            var limit = CoordinatedShutdown.Get(_system).Timeout(ShutdownPhase) - TimeSpan.FromSeconds(1);
            var close = FlushCoreAsync(Close.Instance, CancellationToken.None);
            if (await Task.WhenAny(close, Task.Delay(limit)).ConfigureAwait(false) != close)
            {
                _ = close.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                WarnUnflushed(log, $"its flush did not finish within {limit.TotalSeconds:0.#} s (the '{ShutdownPhase}' phase's timeout)");
                return Done.Instance;
            }

            await close.ConfigureAwait(false);
            await Coordinator.GracefulStop(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (Journaled && JournalCompaction.SqliteFile(_options) is { } journal)
            {
                JournalCompaction.TryCompact(journal);
            }

            log.Info("Actor store {0} at {1} was not disposed; the actor system's shutdown flushed it.", Kind, Root);
        }
        catch (Exception e)
        {
            WarnUnflushed(log, e.Message);
        }
        finally
        {
            StoreMetrics.Untrack(this);
        }

        return Done.Instance;
    }

    private void WarnUnflushed(ILoggingAdapter log, string reason)
    {
        var fate = Journaled
            ? $"they are in the journal ({StoreActorConfig.JournalName(_options)}) and are replayed when the store is opened again"
            : "they are lost";
        log.Warning(
            "Actor store {0} at {1} was not disposed and could not be flushed at shutdown: {2} bytes unflushed ({3}); {4}.",
            Kind, Root, _budget.Buffered, reason, fate);
    }

    /// <summary>Blocking <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Opens the core store (which checks the mode and creates the root), then, when
    /// <paramref name="system"/> is null, an actor system of the store's own configured by <see cref="StoreActorConfig.For"/>.
    /// </summary>
    private protected static (EntryOps? Ops, ActorSystem System, bool OwnsSystem) Start(StoreKind kind, ActorSystem? system, ActorStoreOptions options)
    {
        ActorStoreOptionsValidator.Validate(options, kind);
        if (options.Cluster is { } cluster)
        {
            // Cluster mode runs in the node's own cluster actor system; only nodes with the store's role open the shared root.
            if (system is null || ((ExtendedActorSystem)system).Provider is not Akka.Cluster.ClusterActorRefProvider)
            {
                throw new StoreException(
                    $"A cluster store ({options.StoreId}) runs in the node's actor system, started with akka.actor.provider = cluster; " +
                    "open it with Open(system, options) (Akka.Hosting: WithClustering and AddStore).");
            }

            var storeNode = Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(cluster.Role);
            if (storeNode)
            {
                StoreActorConfig.CheckJournal(system, options);
            }

            return (storeNode ? EntryOps.Open(kind, options) : null, system, false);
        }

        if (system is not null && StoreActorConfig.IsJournaled(options))
        {
            StoreActorConfig.CheckJournal(system, options);
        }

        var ops = EntryOps.Open(kind, options);
        if (system is not null)
        {
            return (ops, system, false);
        }

        try
        {
            return (ops, ActorSystem.Create("store", StoreActorConfig.For(options)), true);
        }
        catch
        {
            ops.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="command"/> in order with the caller's earlier commands on its path, once
    /// the store's budget has room for it and <paramref name="bytes"/> of data (unless they were
    /// <paramref name="reserved"/> already: a rented frame's; they still count towards the size of
    /// the message that carries the command), and returns what
    /// <paramref name="result"/> makes of the reply (it throws the refusal a reply carries).
    /// Cancelling drops a command that still waits for room; once sent, its answer is awaited.
    /// Not async: an append allocates its command and its reply task, nothing more, on the way out.
    /// </summary>
    private Task<T> SendAsync<T>(PathCommand command, long bytes, Func<object, T> result, CancellationToken cancellationToken, bool reserved = false)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        cancellationToken.ThrowIfCancellationRequested();

        if (bytes + PathQueue.CommandOverhead > _maxMessageBytes)
        {
            return Task.FromException<T>(new StoreException(
                $"'{command.Path}': a command of {bytes:N0} bytes cannot cross the cluster's network, whose messages carry at most {_maxMessageBytes:N0} " +
                "(akka.remote.dot-netty.tcp.maximum-frame-size, less a margin); split the data into smaller appends or raise the frame size.",
                command.Path));
        }

        // TryGetValue first: the usual hit allocates no factory closure.
        if (!_queues.TryGetValue(command.Path, out var queue))
        {
            queue = _queues.GetOrAdd(command.Path, new PathQueue(
                Coordinator, command.Path, _options.AskTimeout, _budget, _maxMessageBytes, _overdue is null ? null : ((ExtendedActorSystem)_system).Provider));
        }

        var queued = new PathQueue.Queued<T>(queue, command, bytes, reserved, result);
        if (!cancellationToken.CanBeCanceled)
        {
            _budget.Admit(queued.Admitted, PathQueue.SendAdmitted, queued);
            return queued.Task;
        }

        return SendCancellableAsync(queued, cancellationToken);
    }

    // Cancelling ends the wait only while the command waits for room: once sent, its answer is awaited.
    private async Task<T> SendCancellableAsync<T>(PathQueue.Queued<T> queued, CancellationToken cancellationToken)
    {
        var sent = false;
        Action send = () =>
        {
            sent = true;
            queued.Queue.Send(queued);
        };
        _budget.Admit(queued.Admitted, static send => ((Action)send)(), send, cancellationToken);
        using (cancellationToken.Register(() => _budget.Synchronized(() =>
        {
            if (!sent)
            {
                queued.TrySetCanceled(cancellationToken);
            }
        })))
        {
            return await queued.Task.ConfigureAwait(false);
        }
    }

    private static void ExpireOverdue(object? held)
    {
        if (((WeakReference<ActorStore>)held!).TryGetTarget(out var store))
        {
            foreach (var (_, queue) in store._queues)
            {
                queue.ExpireOverdue();
            }
        }
    }

    /// <summary>Sends a write; returns once applied (and journaled), or throws the refusal.</summary>
    private protected Task WriteCoreAsync(Write command, CancellationToken cancellationToken) =>
        SendAsync(command, SizeOf(command.Data), WriteResult, cancellationToken);

    /// <summary>
    /// Sends an append; returns the range it was given (counted for the <c>Store</c> meter), or throws
    /// the refusal. <paramref name="reserved"/>: the data's bytes are already in the budget (a rented frame).
    /// </summary>
    private protected Task<IndexRange> AppendCoreAsync(Append command, CancellationToken cancellationToken, bool reserved = false) =>
        SendAsync(command, SizeOf(command.Data), _appendResult, cancellationToken, reserved);

    /// <summary>Sends a read, get, shape or query; returns what it found (null: no entry), or throws the failure.</summary>
    private protected Task<object?> ReadCoreAsync(PathCommand command, CancellationToken cancellationToken) =>
        SendAsync(command, 0, ValueOf, cancellationToken);

    private static bool WriteResult(object reply) => reply switch
    {
        Written => true,
        WriteFailed failed => Rethrow<bool>(failed.Cause),
        _ => throw Unexpected(reply),
    };

    private IndexRange AppendResult(object reply)
    {
        switch (reply)
        {
            case Appended appended:
                StoreMetrics.Appended(this, appended.Range.Count);
                return appended.Range;
            case AppendFailed failed:
                return Rethrow<IndexRange>(failed.Cause);
            default:
                throw Unexpected(reply);
        }
    }

    // Throws the refusal as it was raised (its stack trace kept).
    private static T Rethrow<T>(Exception cause)
    {
        ExceptionDispatchInfo.Throw(cause);
        return default!;
    }

    /// <summary>The value of a read-like reply, or its failure rethrown as it was raised.</summary>
    private static object? ValueOf(object reply)
    {
        switch (reply)
        {
            case ReadResult result:
                return result.Value;
            case ReadFailed failed:
                ExceptionDispatchInfo.Throw(failed.Cause);
                return null;
            default:
                throw Unexpected(reply);
        }
    }

    /// <summary>The bytes <paramref name="data"/> takes in memory, for the buffer limit.</summary>
    internal static long SizeOf(object data) => data switch
    {
        NdArray array => array.Bytes.Length,
        Table table => table.BufferBytes,
        _ => 0,
    };

    /// <summary>An error for a reply the protocol does not allow.</summary>
    private protected static StoreException Unexpected(object reply) => new($"The store answered with an unexpected {reply.GetType().Name}.");
}
