using Akka;
using Akka.Actor;
using Akka.Event;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Cluster mode: one per store node and kind, at <c>/user/</c><see cref="NameFor"/>. It owns the
/// node's core store (over the shared root), knows the path entities running on this node (they
/// announce themselves, and say how their handover went as they stop), and answers the cluster-wide
/// <see cref="Flush"/> (flushing them all into one report; with <see cref="Close"/> also trimming
/// their journals) and <see cref="Available"/> (what this node holds plus what is on the shared
/// files now). Under memory pressure it flushes its entities.
/// <para>
/// An entity that stops while a flush waits for it (it moved to another node) counts with how its
/// handover went, so no flush waits for an entity that is gone; a failed handover no flush was
/// waiting for is reported by the next flush. Once the node's store closes (<see cref="CloseNode"/>)
/// it holds no path and answers flushes with what is left to report, until the node leaves.
/// </para>
/// </summary>
internal sealed class StoreNode : ReceiveActor
{
    private readonly EntryOps _ops;
    private readonly ActorStoreOptions _options;
    private readonly Dictionary<string, IActorRef> _entities = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, HandedOver> _handedOver = [];
    private readonly List<PathFlushOutcome> _unreportedFailures = [];
    private readonly List<NodeFlush> _flushes = [];
    private bool _pressureFlushRunning;
    private bool _closed;

    public StoreNode(EntryOps ops, ActorStoreOptions options)
    {
        _ops = ops;
        _options = options;
        Receive<EntityStarted>(started =>
        {
            _entities[started.Path] = Sender;
            Context.Watch(Sender);
        });
        Receive<HandedOver>(handedOver => _handedOver[Sender] = handedOver);
        Receive<Terminated>(terminated => EntityStopped(terminated.ActorRef));
        Receive<Flush>(_ => StartFlush(Sender, FlushPath.Instance));
        Receive<Close>(_ => StartFlush(Sender, TrimPath.Instance));
        Receive<PathFlushed>(flushed => Answered(Sender, flushed.Path, null));
        Receive<PathFlushFailed>(failed => Answered(Sender, failed.Path, failed.Cause));
        Receive<FlushDeadline>(deadline => Expire(deadline.Flush));
        Receive<Available>(_ => Sender.Tell(new AvailableEntries(
            _closed ? [] : [.. _ops.AvailableWithNew().Concat(_entities.Keys).Distinct().Order(StringComparer.Ordinal)])));
        Receive<MemoryPressure>(_ =>
        {
            if (!_pressureFlushRunning && !_closed)
            {
                _pressureFlushRunning = true;
                StartFlush(null, FlushPath.Instance);
            }
        });
        Receive<HeldPaths>(_ => Sender.Tell(_entities.Count));
        Receive<CloseNode>(_ =>
        {
            _closed = true;
            _ops.Store.Detach();
            Sender.Tell(Done.Instance);
        });
        Receive<PathFailed>(failed => Context.GetLogger().Warning("'{0}' stopped on this node: {1}", failed.Path, failed.Cause.Message));
    }

    /// <summary>The node actor's name for a store: one per kind and store id.</summary>
    public static string NameFor(Core.StoreKind kind, string storeId) => $"store-node-{kind.ToString().ToLowerInvariant()}-{storeId}";

    /// <summary>Creates the props, on the I/O dispatcher (listing the shared files and closing the core store touch the disk).</summary>
    public static Props Props(EntryOps ops, ActorStoreOptions options) =>
        Akka.Actor.Props.Create(() => new StoreNode(ops, options)).WithDispatcher(StoreActorConfig.IoDispatcher);

    /// <summary>
    /// Closes the node's core store without flushing (if <see cref="CloseNode"/> did not): every path
    /// flushed what it owned when it was handed over or stopped, and what one could not is in the
    /// journal for its next owner; writing now could overwrite files another node owns by now.
    /// </summary>
    protected override void PostStop()
    {
        if (!_closed)
        {
            _ops.Store.Detach();
        }

        foreach (var failure in _unreportedFailures)
        {
            Context.GetLogger().Warning("'{0}': {1}", failure.Path, failure.Error!.Message);
        }
    }

    // Every entity on this node flushes after the commands it already has (requester null: under memory pressure).
    private void StartFlush(IActorRef? requester, object request)
    {
        var flush = new NodeFlush(requester, requester is null ? [] : [.. _unreportedFailures]);
        if (requester is not null)
        {
            _unreportedFailures.Clear();
        }

        foreach (var (path, entity) in _entities)
        {
            flush.Waiting.Add((entity, path));
            entity.Tell(request);
        }

        if (flush.Waiting.Count > 0)
        {
            _flushes.Add(flush);
            flush.Deadline = Context.System.Scheduler.ScheduleTellOnceCancelable(_options.FlushTimeout, Self, new FlushDeadline(flush), Self);
        }

        CompleteIfDone(flush);
    }

    // An entity answers the requests it got in order: the oldest flush waiting for it takes the answer.
    private void Answered(IActorRef entity, string path, Exception? cause)
    {
        if (_flushes.FirstOrDefault(f => f.Waiting.Contains((entity, path))) is { } flush)
        {
            flush.Waiting.Remove((entity, path));
            flush.Outcomes.Add(new PathFlushOutcome(path, cause));
            CompleteIfDone(flush);
        }
    }

    // An entity that stopped answers no more: the flushes waiting for it count how its handover went.
    private void EntityStopped(IActorRef entity)
    {
        var path = _entities.FirstOrDefault(e => e.Value.Equals(entity)).Key;
        if (path is null)
        {
            return;
        }

        _entities.Remove(path);
        var cause = _handedOver.Remove(entity, out var handedOver)
            ? handedOver.Cause is { } failed
                ? new Core.StoreException($"'{path}' moved to another node after its flush failed ({failed.Message}); its changes are journaled and its next owner replays them.", path, failed)
                : null
            : new Core.StoreException($"'{path}' stopped on this node before it answered the flush; its changes are journaled and its next owner replays them.", path);
        var waiting = _flushes.Where(f => f.Waiting.Contains((entity, path))).ToList();
        foreach (var flush in waiting)
        {
            flush.Waiting.Remove((entity, path));
            flush.Outcomes.Add(new PathFlushOutcome(path, cause));
            CompleteIfDone(flush);
        }

        if (waiting.Count == 0 && cause is not null)
        {
            _unreportedFailures.Add(new PathFlushOutcome(path, cause));
        }
    }

    private void Expire(NodeFlush flush)
    {
        foreach (var (_, path) in flush.Waiting)
        {
            flush.Outcomes.Add(new PathFlushOutcome(path, new Core.StoreException(
                $"'{path}': its flush did not finish within {_options.FlushTimeout}; its changes are journaled.", path)));
        }

        flush.Waiting.Clear();
        CompleteIfDone(flush);
    }

    private void CompleteIfDone(NodeFlush flush)
    {
        if (flush.Waiting.Count > 0)
        {
            return;
        }

        flush.Deadline?.Cancel();
        _flushes.Remove(flush);
        if (flush.Requester is null)
        {
            _pressureFlushRunning = false; // what failed is still held, and the next flush tries it again
            return;
        }

        var report = new FlushReport([.. flush.Outcomes.OrderBy(o => o.Path, StringComparer.Ordinal)]);
        flush.Requester.Tell(report.Succeeded ? new Flushed(report) : new FlushFailed(report));
    }

    // One flush of every entity on the node: whom to answer, the entities not answered yet, what they said.
    private sealed class NodeFlush(IActorRef? requester, List<PathFlushOutcome> outcomes)
    {
        public IActorRef? Requester { get; } = requester;

        public HashSet<(IActorRef Entity, string Path)> Waiting { get; } = [];

        public List<PathFlushOutcome> Outcomes { get; } = outcomes;

        public ICancelable? Deadline { get; set; }
    }

    private sealed record FlushDeadline(NodeFlush Flush);
}
