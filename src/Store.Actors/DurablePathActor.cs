using Akka.Actor;
using Akka.Persistence;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Owns one entry path of a journaled store. A change is applied in memory, journaled as an event,
/// and acknowledged only once the event is stored; the changes of one batch share one journal write.
/// A flush writes the files, saves the producer log as a snapshot and deletes the journaled events
/// it covered. On start the events still in the journal are replayed onto the flushed files.
/// </summary>
internal sealed class DurablePathActor : ReceivePersistentActor
{
    private readonly PathWork _work;

    public DurablePathActor(PathWork work, string persistenceId, TimeSpan passivateAfter)
    {
        _work = work;
        PersistenceId = persistenceId;

        Recover<SnapshotOffer>(offer => _work.Restore((PathSnapshot)offer.Snapshot));
        Recover<EntryAppended>(e => _work.Replay(e));
        Recover<EntryWritten>(e => _work.Replay(e));

        Command<CommandBatch>(batch =>
        {
            var replies = new object[batch.Commands.Count];
            var events = new List<object>();
            for (var i = 0; i < replies.Length; i++)
            {
                replies[i] = _work.Apply(batch.Commands[i], out var journalEvent);
                if (journalEvent is not null)
                {
                    events.Add(journalEvent);
                }
            }

            ReplyWhenJournaled(events, new BatchReplies(replies));
        });
        Command<PathCommand>(command =>
        {
            var reply = _work.Apply(command, out var journalEvent);
            ReplyWhenJournaled(journalEvent is null ? [] : [journalEvent], reply);
        });
        Command<FlushPath>(_ =>
        {
            var reply = _work.Flush();
            if (reply is PathFlushed)
            {
                SaveSnapshot(_work.Snapshot());
                DeleteMessages(LastSequenceNr);
            }

            Sender.Tell(reply);
        });
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
            if (_work.Unflushed == 0)
            {
                Context.Parent.Tell(new Passivate(_work.Path));
            }
        });
        SetReceiveTimeout(passivateAfter);
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>Creates the props, on the store's I/O dispatcher.</summary>
    public static Props Props(PathWork work, string persistenceId, TimeSpan passivateAfter) =>
        Akka.Actor.Props.Create(() => new DurablePathActor(work, persistenceId, passivateAfter)).WithDispatcher(StoreActorConfig.IoDispatcher);

    private void ReplyWhenJournaled(List<object> events, object reply)
    {
        var sender = Sender;
        if (events.Count == 0)
        {
            sender.Tell(reply);
            return;
        }

        // PersistAll stashes later commands until the events are stored, so producers sending
        // meanwhile queue up and their changes share the next journal write.
        PersistAll(events, _ => { }, () =>
        {
            RelieveMemoryPressure();
            sender.Tell(reply);
        });
    }

    private void RelieveMemoryPressure()
    {
        if (!_work.OverBudget)
        {
            return;
        }

        if (_work.Unflushed > 0 && _work.Flush() is PathFlushed)
        {
            SaveSnapshot(_work.Snapshot());
            DeleteMessages(LastSequenceNr);
        }

        Context.Parent.Tell(MemoryPressure.Instance);
    }
}
