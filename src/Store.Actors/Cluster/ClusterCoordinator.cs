using System.Collections.Immutable;
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
/// store node that is up (<see cref="NodeFanOut"/>), and merged: a node that does not answer is a
/// failure naming it, never a silent success; one that left gracefully meanwhile handed its paths over.
/// </summary>
internal sealed class ClusterCoordinator : ReceiveActor
{
    private readonly IActorRef _region;
    private readonly IActorRef? _localNode;
    private readonly string _nodeName;
    private readonly string _role;
    private readonly TimeSpan _flushTimeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Members seen leaving the cluster gracefully (read by the fan-outs, hence immutable).
    private volatile ImmutableHashSet<Address> _leaving = [];

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
                FanOut(Flush.Instance, MergeFlushes);
            }
        });
        Receive<Available>(_ => FanOut(Available.Instance, MergeLists));
        Receive<ClusterEvent.MemberLeft>(left => _leaving = _leaving.Add(left.Member.Address));
        Receive<ClusterEvent.MemberExited>(exited => _leaving = _leaving.Add(exited.Member.Address));
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

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberLeft), typeof(ClusterEvent.MemberExited));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private List<Address> StoreNodes() =>
        [.. Cluster.Get(Context.System).State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(_role)).Select(m => m.Address)];

    private void FanOut(object request, Func<IReadOnlyList<NodeAnswer>, object> merge)
    {
        Context.ActorOf(NodeFanOut.Props(StoreNodes(), _nodeName, request, _flushTimeout, Sender, address => _leaving.Contains(address), merge));
    }

    // A node that left gracefully handed its paths over (each flushed as it moved) and has none to report.
    private object MergeFlushes(IReadOnlyList<NodeAnswer> answers)
    {
        var outcomes = answers.SelectMany(answer => answer switch
        {
            { Reply: Flushed flushed } => flushed.Report.Outcomes,
            { Reply: FlushFailed failed } => failed.Report.Outcomes,
            { Fate: NodeFate.NoStore or NodeFate.Left } => [],
            { Fate: NodeFate.Gone } => [new PathFlushOutcome($"node {answer.Node}", new StoreException(
                $"Store node {answer.Node} went away before it answered the flush: its paths restart on the other store nodes and replay their journals."))],
            { Fate: NodeFate.Silent } => [new PathFlushOutcome($"node {answer.Node}", new StoreException(
                $"Store node {answer.Node} did not answer the flush within {_flushTimeout}: what its paths hold is journaled, and their next owner replays it."))],
            _ => (IReadOnlyList<PathFlushOutcome>)[new PathFlushOutcome($"node {answer.Node}", new StoreException(
                $"Store node {answer.Node} answered the flush with {answer.Reply?.GetType().Name}."))],
        });
        var report = new FlushReport([.. outcomes.OrderBy(o => o.Path, StringComparer.Ordinal)]);
        return report.Succeeded ? new Flushed(report) : new FlushFailed(report);
    }

    private AvailableEntries MergeLists(IReadOnlyList<NodeAnswer> answers)
    {
        foreach (var answer in answers.Where(a => a.Fate is NodeFate.Gone or NodeFate.Silent))
        {
            // The other nodes list the shared files; only that node's unflushed new paths are missing.
            _log.Warning("Store node {0} did not list its paths ({1})", answer.Node, answer.Fate);
        }

        return new AvailableEntries([.. answers.SelectMany(a => a.Reply is AvailableEntries entries ? entries.Paths : []).Distinct().Order(StringComparer.Ordinal)]);
    }
}
