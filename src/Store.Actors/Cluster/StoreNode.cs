using Akka.Actor;
using Akka.Event;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Cluster mode: one per store node and kind, at <c>/user/</c><see cref="NameFor"/>. It owns the
/// node's core store (over the shared root), knows the path entities running on this node (they
/// announce themselves), and answers the cluster-wide <see cref="Flush"/> (flushing them all into
/// one report; with <see cref="Close"/> also trimming their journals) and <see cref="Available"/>
/// (what this node holds plus what is on the shared files now). Under memory pressure it flushes
/// its entities.
/// </summary>
internal sealed class StoreNode : ReceiveActor
{
    private readonly EntryOps _ops;
    private readonly ActorStoreOptions _options;
    private readonly Dictionary<string, IActorRef> _entities = new(StringComparer.Ordinal);
    private bool _pressureFlushRunning;

    public StoreNode(EntryOps ops, ActorStoreOptions options)
    {
        _ops = ops;
        _options = options;
        Receive<EntityStarted>(started =>
        {
            _entities[started.Path] = Sender;
            Context.Watch(Sender);
        });
        Receive<Terminated>(terminated =>
        {
            foreach (var (path, _) in _entities.Where(e => e.Value.Equals(terminated.ActorRef)).ToList())
            {
                _entities.Remove(path);
            }
        });
        Receive<Flush>(_ => FlushEntities(FlushPath.Instance).PipeTo(Sender));
        Receive<Close>(_ => FlushEntities(TrimPath.Instance).PipeTo(Sender));
        Receive<Available>(_ => Sender.Tell(new AvailableEntries([.. _ops.AvailableWithNew().Concat(_entities.Keys).Distinct().Order(StringComparer.Ordinal)])));
        Receive<MemoryPressure>(_ =>
        {
            if (!_pressureFlushRunning)
            {
                _pressureFlushRunning = true;
                FlushEntities(FlushPath.Instance).PipeTo(Self, success: _ => PressureRelieved.Instance);
            }
        });
        Receive<PressureRelieved>(_ => _pressureFlushRunning = false);
        Receive<PathFailed>(failed => Context.GetLogger().Warning("'{0}' stopped on this node: {1}", failed.Path, failed.Cause.Message));
    }

    /// <summary>The node actor's name for a store: one per kind and store id.</summary>
    public static string NameFor(Core.StoreKind kind, string storeId) => $"store-node-{kind.ToString().ToLowerInvariant()}-{storeId}";

    /// <summary>Creates the props, on the I/O dispatcher (listing the shared files and closing the core store touch the disk).</summary>
    public static Props Props(EntryOps ops, ActorStoreOptions options) =>
        Akka.Actor.Props.Create(() => new StoreNode(ops, options)).WithDispatcher(StoreActorConfig.IoDispatcher);

    /// <summary>
    /// Closes the node's core store without flushing: every path flushed what it owned when it was
    /// handed over or stopped, and what one could not is in the journal for its next owner; writing
    /// now could overwrite files another node owns by now.
    /// </summary>
    protected override void PostStop() => _ops.Store.Detach();

    // Every entity on this node flushes after the commands it already has; one report, sorted by path.
    private async Task<object> FlushEntities(object request)
    {
        var timeout = _options.FlushTimeout;
        var outcomes = await Task.WhenAll(_entities.Select(async entity =>
        {
            try
            {
                return await entity.Value.Ask<object>(request, timeout) switch
                {
                    PathFlushed flushed => new PathFlushOutcome(flushed.Path, null),
                    PathFlushFailed failed => new PathFlushOutcome(failed.Path, failed.Cause),
                    var other => new PathFlushOutcome(entity.Key, new Core.StoreException($"'{entity.Key}': unexpected flush reply {other}.", entity.Key)),
                };
            }
            catch (AskTimeoutException)
            {
                return new PathFlushOutcome(entity.Key, new Core.StoreException(
                    $"'{entity.Key}': its flush did not finish within {timeout} (or it was handed to another node meanwhile); its changes are journaled.", entity.Key));
            }
        }));
        var report = new FlushReport([.. outcomes.OrderBy(o => o.Path, StringComparer.Ordinal)]);
        return report.Succeeded ? new Flushed(report) : new FlushFailed(report);
    }

    private sealed record PressureRelieved
    {
        public static readonly PressureRelieved Instance = new();
    }
}
