using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Store.Core;
using Store.Core.Storage;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Cluster mode: what a store's client talks to on every node (store nodes and client-only nodes
/// alike), in place of the single-machine <see cref="StoreCoordinator"/>. Path commands go to the
/// shard region (or proxy), which delivers them to the path's entity on whichever node owns it; a
/// flush of every path and <see cref="Available"/> are asked of the <see cref="StoreNode"/> of every
/// store node that is up, and merged: a node that does not answer is a failure naming it, never a
/// silent success.
/// </summary>
internal sealed class ClusterCoordinator : ReceiveActor
{
    private readonly IActorRef _region;
    private readonly IActorRef? _localNode;
    private readonly string _nodeName;
    private readonly string _role;
    private readonly TimeSpan _flushTimeout;

    public ClusterCoordinator(IActorRef region, IActorRef? localNode, string nodeName, string role, TimeSpan flushTimeout)
    {
        _region = region;
        _localNode = localNode;
        _nodeName = nodeName;
        _role = role;
        _flushTimeout = flushTimeout;
        Receive<CommandBatch>(batch => Route(batch.Path, batch));
        Receive<Get>(get => Sender.Tell(new ReadFailed(new StoreException(
            $"'{get.Path}': a live reference belongs to the node that owns the path, and in a cluster that can be any node and change at any time; use ReadAsync (or a view of it).",
            get.Path))));
        Receive<PathCommand>(command => Route(command.Path, command));
        Receive<Flush>(flush =>
        {
            if (flush.Path is { } path)
            {
                Route(path, new ToPath(path, flush));
            }
            else
            {
                FlushNodes().PipeTo(Sender);
            }
        });
        Receive<Available>(_ => ListNodes().PipeTo(Sender));
        Receive<Close>(_ =>
        {
            // Closing this node's store: its own entities flush and trim; the rest of the cluster goes on.
            if (_localNode is not null)
            {
                _localNode.Forward(Close.Instance);
            }
            else
            {
                Sender.Tell(new Flushed(new FlushReport([])));
            }
        });
    }

    /// <summary>Creates the props.</summary>
    public static Props Props(IActorRef region, IActorRef? localNode, string nodeName, string role, TimeSpan flushTimeout) =>
        Akka.Actor.Props.Create(() => new ClusterCoordinator(region, localNode, nodeName, role, flushTimeout));

    // A path that breaks the path rules is refused here, so no entity (and no journal id) is made for it.
    private void Route(string path, object message)
    {
        try
        {
            StorePaths.Validate(path);
        }
        catch (InvalidPathException e)
        {
            Sender.Tell(message is ToPath ? new FlushFailed(new FlushReport([new PathFlushOutcome(path, e)])) : StoreCoordinator.Refusal(message, e));
            return;
        }

        _region.Forward(message);
    }

    private IEnumerable<Address> StoreNodes() =>
        Cluster.Get(Context.System).State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(_role)).Select(m => m.Address);

    private ActorSelection NodeAt(Address address) => Context.ActorSelection(new RootActorPath(address) / "user" / _nodeName);

    private async Task<object> FlushNodes()
    {
        var nodes = StoreNodes().ToList();
        var answers = await Task.WhenAll(nodes.Select(async address =>
        {
            try
            {
                return await NodeAt(address).Ask<object>(Flush.Instance, _flushTimeout) switch
                {
                    Flushed flushed => flushed.Report.Outcomes,
                    FlushFailed failed => failed.Report.Outcomes,
                    var other => [new PathFlushOutcome($"node {address}", new StoreException($"Store node {address} answered the flush with {other.GetType().Name}."))],
                };
            }
            catch (AskTimeoutException)
            {
                return (IReadOnlyList<PathFlushOutcome>)[new PathFlushOutcome($"node {address}", new StoreException(
                    $"Store node {address} did not answer the flush within {_flushTimeout}: what its paths hold is journaled, and their next owner replays it."))];
            }
        }));
        var report = new FlushReport([.. answers.SelectMany(a => a).OrderBy(o => o.Path, StringComparer.Ordinal)]);
        return report.Succeeded ? new Flushed(report) : new FlushFailed(report);
    }

    private async Task<object> ListNodes()
    {
        var log = Context.GetLogger();
        var nodes = StoreNodes().ToList();
        var lists = await Task.WhenAll(nodes.Select(async address =>
        {
            try
            {
                return (await NodeAt(address).Ask<AvailableEntries>(Available.Instance, _flushTimeout)).Paths;
            }
            catch (AskTimeoutException)
            {
                // The other nodes list the shared files; only this node's unflushed new paths are missing.
                log.Warning("Store node {0} did not list its paths within {1}", address, _flushTimeout);
                return [];
            }
        }));
        return new AvailableEntries([.. lists.SelectMany(l => l).Distinct().Order(StringComparer.Ordinal)]);
    }
}
