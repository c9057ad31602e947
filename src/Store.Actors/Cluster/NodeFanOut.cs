using Akka.Actor;

namespace Store.Actors;

/// <summary>
/// Cluster mode: one request to the <see cref="StoreNode"/> of each given store node, the answers
/// merged for whoever asked. Each node actor is found first and watched, so a node that goes away
/// is known at once instead of after the timeout: a node without one has no store of this kind
/// (or has closed it) and holds no path; one that stops before it answers either left the cluster
/// gracefully (its paths were handed over, flushed) or is gone, which the merge reports by name.
/// </summary>
internal sealed class NodeFanOut : ReceiveActor
{
    private readonly HashSet<Address> _pending;
    private readonly Dictionary<IActorRef, Address> _nodes = [];
    private readonly List<NodeAnswer> _answers = [];
    private readonly IActorRef _replyTo;
    private readonly Func<IReadOnlyList<NodeAnswer>, object> _merge;
    private readonly ICancelable _deadline;

    public NodeFanOut(IReadOnlyList<Address> nodes, string nodeName, object request, TimeSpan timeout, IActorRef replyTo, Func<Address, bool> leftGracefully, Func<IReadOnlyList<NodeAnswer>, object> merge)
    {
        _pending = [.. nodes];
        _replyTo = replyTo;
        _merge = merge;
        foreach (var address in nodes)
        {
            Context.ActorSelection(new RootActorPath(address) / "user" / nodeName).Tell(new Identify(address));
        }

        _deadline = Context.System.Scheduler.ScheduleTellOnceCancelable(timeout, Self, ReceiveTimeout.Instance, Self);
        Receive<ActorIdentity>(identity =>
        {
            var address = (Address)identity.MessageId;
            if (identity.Subject is not { } node)
            {
                Settle(address, new NodeAnswer(address, null, NodeFate.NoStore));
                return;
            }

            _nodes[node] = address;
            Context.Watch(node);
            node.Tell(request);
        });
        Receive<Terminated>(terminated =>
        {
            if (_nodes.TryGetValue(terminated.ActorRef, out var address))
            {
                Settle(address, new NodeAnswer(address, null, leftGracefully(address) ? NodeFate.Left : NodeFate.Gone));
            }
        });
        Receive<ReceiveTimeout>(_ =>
        {
            foreach (var address in _pending.ToList())
            {
                Settle(address, new NodeAnswer(address, null, NodeFate.Silent));
            }
        });
        ReceiveAny(reply =>
        {
            if (_nodes.TryGetValue(Sender, out var address))
            {
                Settle(address, new NodeAnswer(address, reply, NodeFate.Answered));
            }
        });
        if (_pending.Count == 0)
        {
            Finish();
        }
    }

    /// <summary>Creates the props.</summary>
    public static Props Props(IReadOnlyList<Address> nodes, string nodeName, object request, TimeSpan timeout, IActorRef replyTo, Func<Address, bool> leftGracefully, Func<IReadOnlyList<NodeAnswer>, object> merge) =>
        Akka.Actor.Props.Create(() => new NodeFanOut(nodes, nodeName, request, timeout, replyTo, leftGracefully, merge));

    private void Settle(Address address, NodeAnswer answer)
    {
        if (_pending.Remove(address))
        {
            _answers.Add(answer);
            if (_pending.Count == 0)
            {
                Finish();
            }
        }
    }

    private void Finish()
    {
        _deadline.Cancel();
        _replyTo.Tell(_merge(_answers));
        Context.Stop(Self);
    }
}

/// <summary>What became of one node's part of a <see cref="NodeFanOut"/>.</summary>
internal enum NodeFate
{
    /// <summary>Its node actor answered (<see cref="NodeAnswer.Reply"/>).</summary>
    Answered,

    /// <summary>No node actor of this store kind runs there: it holds no path of this kind.</summary>
    NoStore,

    /// <summary>Its node actor stopped as the node left the cluster gracefully, every path handed over.</summary>
    Left,

    /// <summary>Its node actor stopped otherwise (the node crashed or was downed).</summary>
    Gone,

    /// <summary>No answer within the timeout.</summary>
    Silent,
}

/// <summary>One node's answer to a <see cref="NodeFanOut"/>.</summary>
internal sealed record NodeAnswer(Address Node, object? Reply, NodeFate Fate);
