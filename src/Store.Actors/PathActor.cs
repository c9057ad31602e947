using Akka.Actor;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Owns one entry path of a store without a journal: applies its commands in arrival order and
/// answers each. Runs on the store's I/O dispatcher, since reads and flushes block on files.
/// </summary>
internal sealed class PathActor : ReceiveActor
{
    private readonly PathWork _work;

    public PathActor(PathWork work, TimeSpan passivateAfter)
    {
        _work = work;
        Receive<CommandBatch>(batch =>
        {
            var replies = _work.Apply(batch, journal: null);
            RelieveMemoryPressure();
            Sender.Tell(replies);
        });
        Receive<PathCommand>(command =>
        {
            var reply = _work.Apply(command, journal: null);
            RelieveMemoryPressure();
            Sender.Tell(reply);
        });
        Receive<FlushPath>(_ => Sender.Tell(_work.Flush()));
        Receive<StopPath>(_ =>
        {
            if (_work.Unflushed > 0)
            {
                Context.Parent.Tell(StayActive.Instance);
            }
            else
            {
                Context.Stop(Self);
            }
        });
        Receive<ReceiveTimeout>(_ =>
        {
            if (_work.Unflushed == 0)
            {
                Context.Parent.Tell(new Passivate(_work.Path));
            }
        });
        SetReceiveTimeout(passivateAfter);
    }

    /// <summary>Creates the props, on the store's I/O dispatcher.</summary>
    public static Props Props(PathWork work, TimeSpan passivateAfter) =>
        Akka.Actor.Props.Create(() => new PathActor(work, passivateAfter)).WithDispatcher(StoreActorConfig.IoDispatcher);

    // Past the store's limit this path writes its own buffer before answering (so its producers
    // wait), and asks the coordinator to flush the others.
    private void RelieveMemoryPressure()
    {
        if (!_work.OverBudget)
        {
            return;
        }

        if (_work.Unflushed > 0)
        {
            _work.Flush();
        }

        Context.Parent.Tell(MemoryPressure.Instance);
    }
}
