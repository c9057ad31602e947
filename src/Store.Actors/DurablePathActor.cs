using Akka.Actor;
using Akka.Persistence;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Owns one entry path of a journaled store. A change is applied in memory, journaled as an event,
/// and acknowledged only once the event is stored. One journal write is in flight at a time; every
/// change that arrives meanwhile joins the next write (group commit), so many small appends share
/// one event. A flush writes the files, saves the producer log as a snapshot and deletes the
/// journaled events it covered. On start the events still in the journal are replayed onto the files.
/// </summary>
internal sealed class DurablePathActor : ReceivePersistentActor
{
    private readonly PathWork _work;

    // The next journal write: its events, and the replies (in arrival order) that wait for it.
    private List<object> _nextEvents = [];
    private List<(IActorRef Sender, object Reply)> _nextReplies = [];
    private bool _writing;

    // Events up to _coveredTo are in the files; those up to _trimmedTo are deleted. Deleting is a
    // database write that competes with appends, so it waits until _trimAfter events are covered
    // (replay skips covered events that are still there). The snapshot is saved only when the
    // producer log changed.
    private readonly long _trimAfter;
    private long _coveredTo;
    private long _trimmedTo;
    private long _snapshotVersion;

    public DurablePathActor(PathWork work, string persistenceId, TimeSpan passivateAfter, int trimAfter)
    {
        _work = work;
        _trimAfter = Math.Max(1, trimAfter);
        PersistenceId = persistenceId;

        Recover<SnapshotOffer>(offer => _work.Restore((PathSnapshot)offer.Snapshot));
        Recover<EntryAppended>(e => _work.Replay(e));
        Recover<EntryWritten>(e => _work.Replay(e));
        Recover<EntryChanges>(changes =>
        {
            foreach (var change in changes.Changes)
            {
                _work.Replay(change);
            }
        });

        Command<CommandBatch>(batch => ReplyWhenJournaled(_work.Apply(batch, _nextEvents)));
        Command<PathCommand>(command => ReplyWhenJournaled(_work.Apply(command, _nextEvents)));
        Command<FlushPath>(_ => Sender.Tell(FlushAndTrim()));
        Command<RecoveryProbe>(_ => Sender.Tell(RecoveryProbe.Instance));
        Command<SaveSnapshotSuccess>(success =>
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<ReceiveTimeout>(_ =>
        {
            if (_work.Unflushed == 0 && !_writing)
            {
                Context.Parent.Tell(new Passivate(_work.Path));
            }
        });
        SetReceiveTimeout(passivateAfter);
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>Creates the props, on the store's I/O dispatcher.</summary>
    public static Props Props(PathWork work, string persistenceId, TimeSpan passivateAfter, int trimAfter) =>
        Akka.Actor.Props.Create(() => new DurablePathActor(work, persistenceId, passivateAfter, trimAfter)).WithDispatcher(StoreActorConfig.IoDispatcher);

    // A reply waits for the journal write of its own changes, and for the writes before it (a read
    // may have seen changes not yet journaled); with nothing pending it goes at once.
    private void ReplyWhenJournaled(object reply)
    {
        if (!_writing && _nextEvents.Count == 0)
        {
            Sender.Tell(reply);
            return;
        }

        _nextReplies.Add((Sender, reply));
        if (!_writing)
        {
            WriteNext();
        }
    }

    private void WriteNext()
    {
        var events = _nextEvents;
        var replies = _nextReplies;
        _nextEvents = [];
        _nextReplies = [];
        if (events.Count == 0)
        {
            Answer(replies);
            return;
        }

        _writing = true;
        PersistAsync(events.Count == 1 ? events[0] : new EntryChanges(events), _ =>
        {
            _writing = false;
            Answer(replies);
            RelieveMemoryPressure();
            if (_nextReplies.Count > 0)
            {
                WriteNext();
            }
        });
    }

    private static void Answer(List<(IActorRef Sender, object Reply)> replies)
    {
        foreach (var (sender, reply) in replies)
        {
            sender.Tell(reply);
        }
    }

    // The files then hold every change applied so far, journaled or still in flight, so the
    // snapshot and the trim may cover them all (replay skips whatever the files already hold).
    private object FlushAndTrim()
    {
        var reply = _work.Flush();
        if (reply is PathFlushed && LastSequenceNr > _coveredTo)
        {
            if (_work.Producers.Version != _snapshotVersion)
            {
                SaveSnapshot(_work.Snapshot());
                _snapshotVersion = _work.Producers.Version;
            }

            _coveredTo = LastSequenceNr;
            if (_coveredTo - _trimmedTo >= _trimAfter)
            {
                DeleteMessages(_coveredTo);
                _trimmedTo = _coveredTo;
            }
        }

        return reply;
    }

    /// <summary>Deletes the covered events a stopping actor has not trimmed yet (best effort: replay skips them anyway).</summary>
    protected override void PostStop()
    {
        if (_coveredTo > _trimmedTo)
        {
            DeleteMessages(_coveredTo);
        }

        base.PostStop();
    }

    private void RelieveMemoryPressure()
    {
        if (!_work.OverBudget)
        {
            return;
        }

        if (_work.Unflushed > 0)
        {
            FlushAndTrim();
        }

        Context.Parent.Tell(MemoryPressure.Instance);
    }
}
