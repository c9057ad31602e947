using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Store.Core;
using Store.Core.Storage;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Owns one entry path of a journaled store. A change is applied in memory, journaled as an event,
/// and acknowledged only once the event is stored. One journal write is in flight at a time; every
/// change that arrives meanwhile joins the next write (group commit), so many small appends share
/// one event. A flush waits for the journal writes of the changes before it (holding back later
/// commands), so the files only ever receive journaled changes; it then writes the files, saves the
/// producer log as a snapshot and deletes the events it covered (once <c>JournalTrimEvents</c> accumulated;
/// a closing store's <see cref="StoreProtocol.TrimPath"/> deletes them all and waits for the journal to
/// confirm). On start the events still in the journal are replayed onto the files. A journal write that fails is answered at once with a
/// <see cref="JournalException"/>, the entry drops what was not journaled, and the actor stops; the
/// next command starts a new one, which replays the journal.
/// </summary>
internal sealed class DurablePathActor : ReceivePersistentActor
{
    private readonly PathWork _work;
    private readonly string _journalName;

    // The next journal write (its events, and the replies in arrival order that wait for it) and the one in flight.
    private List<object> _nextEvents = [];
    private List<(IActorRef Sender, object Reply)> _nextReplies = [];
    private List<(IActorRef Sender, object Reply)> _writingReplies = [];
    private bool _writing;

    // Flushes waiting for the journal writes before them (null: the actor's own, under memory
    // pressure). While any waits, commands are stashed, so a flush never writes an unjournaled change.
    private readonly List<IActorRef?> _flushesWaiting = [];

    // The coordinator asked this idle actor to stop, but it was busy (see Busy); asked again when it is not.
    private bool _stopWhenDone;
    private Exception? _handOverFailure; // cluster mode: why the flush before a handover failed (its changes stay journaled)

    // Events up to _coveredTo are in the files; those up to _trimmedTo are deleted. Deleting is a
    // database write that competes with appends, so it waits until _trimAfter events are covered
    // (replay skips covered events that are still there). The snapshot is saved only when the
    // producer log changed.
    private readonly long _trimAfter;
    private long _coveredTo;
    private long _trimmedTo;
    private long _snapshotVersion;

    // A closing store's TrimPath requests: answered once the journal confirmed the deletion of every
    // covered event, which is asked for only after the producer log's snapshot is saved (its entries
    // must outlive the events they came from).
    private readonly List<IActorRef> _trimsWaiting = [];
    private bool _savingSnapshot;
    private long _trimConfirmedTo;

    // Cluster mode: the node's StoreNode, which this entity reports to (its parent is a shard).
    private readonly IActorRef? _node;

    // Cluster mode: the most a reply may carry across the network (remoting's frame, less a margin).
    private readonly long _maxReplyBytes;

    public DurablePathActor(PathWork work, string persistenceId, string journalName, TimeSpan passivateAfter, int trimAfter, IActorRef? node = null, long maxReplyBytes = long.MaxValue)
    {
        _work = work;
        _maxReplyBytes = maxReplyBytes;
        _journalName = journalName;
        _trimAfter = Math.Max(1, trimAfter);
        _node = node;
        PersistenceId = persistenceId;
        if (Sharded)
        {
            // This node may have held the path before another did: read it as the files show it now, then replay the journal onto it.
            _work.Reload();
            _node!.Tell(new EntityStarted(_work.Path));
        }

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

        Command<CommandBatch>(batch =>
        {
            if (_flushesWaiting.Count > 0)
            {
                Stash.Stash();
                return;
            }

            ReplyWhenJournaled(Fitted(_work.Apply(batch, _nextEvents)));
        });
        Command<PathCommand>(command =>
        {
            if (_flushesWaiting.Count > 0)
            {
                Stash.Stash();
                return;
            }

            ReplyWhenJournaled(Fitted(_work.Apply(command, _nextEvents)));
        });
        Command<FlushPath>(_ => RequestFlush(Sender));
        Command<TrimPath>(_ =>
        {
            // The flush answers this actor itself (PathFlushed / PathFlushFailed below), then the trim follows.
            _trimsWaiting.Add(Sender);
            RequestFlush(Self);
        });
        Command<PathFlushed>(flushed =>
        {
            AnswerFlushReports(flushed);
            TrimCovered();
        });
        Command<PathFlushFailed>(failed =>
        {
            AnswerFlushReports(failed);
            AnswerTrims(failed);
        });
        Command<RecoveryProbe>(_ => Sender.Tell(RecoveryProbe.Instance));
        Command<Flush>(_ =>
        {
            // Cluster mode: a one-path flush through the shard region, answered with a one-path report.
            _flushReports.Add(Sender);
            RequestFlush(Self);
        });
        Command<StopPath>(_ =>
        {
            if (Busy)
            {
                _stopWhenDone = true;
            }
            else if (Sharded)
            {
                HandOver();
            }
            else if (_work.Unflushed > 0)
            {
                Context.Parent.Tell(StayActive.Instance);
            }
            else
            {
                Context.Stop(Self);
            }
        });
        Command<SaveSnapshotSuccess>(success =>
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
            _savingSnapshot = false;
            TrimCovered();
            StopIfAsked();
        });
        Command<SaveSnapshotFailure>(failure =>
        {
            _savingSnapshot = false;
            if (_trimsWaiting.Count > 0)
            {
                // Deleting the events now would lose the producer log's latest entries: they stay (replay skips them).
                Context.GetLogger().Warning("'{0}': the producer log's snapshot could not be saved in {1} ({2}); its covered journal events are kept", _work.Path, _journalName, failure.Cause.Message);
                AnswerTrims(new PathFlushed(_work.Path));
            }

            StopIfAsked();
        });
        Command<DeleteMessagesSuccess>(success =>
        {
            CrashPoint.Hit(CrashPoint.JournalTrimmed);
            _trimConfirmedTo = Math.Max(_trimConfirmedTo, success.ToSequenceNr);
            TrimCovered();
        });
        Command<DeleteMessagesFailure>(failure =>
        {
            if (_trimsWaiting.Count > 0)
            {
                // The files hold the changes; covered events left in the journal are skipped on replay.
                Context.GetLogger().Warning("'{0}': covered events up to {1} could not be deleted from {2} ({3}); replay skips them", _work.Path, failure.ToSequenceNr, _journalName, failure.Cause.Message);
                AnswerTrims(new PathFlushed(_work.Path));
            }
        });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<ReceiveTimeout>(_ =>
        {
            if (_work.Unflushed == 0 && !Busy)
            {
                // A shard stops its entity with StopPath once no message for it is left in flight.
                Context.Parent.Tell(Sharded ? new Akka.Cluster.Sharding.Passivate(StopPath.Instance) : new Passivate(_work.Path));
            }
        });
        SetReceiveTimeout(passivateAfter);
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    // Cluster mode: a sharded entity of a StoreNode, not a child of the coordinator.
    private bool Sharded => _node is not null;

    // Whom failures and memory pressure are reported to: the coordinator, or (cluster mode) the node.
    private IActorRef Host => _node ?? Context.Parent;

    // One-path flushes asked through the shard region (cluster mode), answered with a report.
    private readonly List<IActorRef> _flushReports = [];

    /// <summary>
    /// Creates the props, on the store's I/O dispatcher; with <paramref name="node"/>, a sharded entity
    /// reporting to that node, whose read results may carry at most <paramref name="maxReplyBytes"/>.
    /// </summary>
    public static Props Props(PathWork work, string persistenceId, string journalName, TimeSpan passivateAfter, int trimAfter, IActorRef? node = null, long maxReplyBytes = long.MaxValue) =>
        Akka.Actor.Props.Create(() => new DurablePathActor(work, persistenceId, journalName, passivateAfter, trimAfter, node, maxReplyBytes)).WithDispatcher(StoreActorConfig.IoDispatcher);

    // A read result too large for one network message is refused (nothing changed), never sent to be dropped on the way.
    private object Fitted(object reply) => reply switch
    {
        ReadResult { Value: { } value } when ActorStore.SizeOf(value) > _maxReplyBytes => new ReadFailed(new ResultTooLargeException(
            $"'{_work.Path}': the result takes {ActorStore.SizeOf(value):N0} bytes, more than one message across the cluster carries ({_maxReplyBytes:N0}, " +
            "akka.remote.dot-netty.tcp.maximum-frame-size less a margin); read it in parts with views (row or index ranges, fewer columns) or raise the frame size.",
            _work.Path)),
        BatchReplies batch when _maxReplyBytes < long.MaxValue => new BatchReplies([.. batch.Replies.Select(Fitted)]),
        _ => reply,
    };

    /// <summary>The journal could not store a write: its changes and every later one are answered as failed and dropped. Akka then stops the actor.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Fail(new JournalException(
            $"'{_work.Path}': the journal {_journalName} could not store the change(s): {cause.GetBaseException().Message}. They were not applied; retry them.",
            _work.Path, cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>The journal refused a write: as <see cref="OnPersistFailure"/>, and the actor stops so that a new one replays the journal.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Fail(new JournalException(
            $"'{_work.Path}': the journal {_journalName} refused the change(s): {cause.GetBaseException().Message}. They were not applied.",
            _work.Path, cause));
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    /// <summary>The journal could not be replayed onto the files: the coordinator answers this path's commands with the cause. Akka then stops the actor.</summary>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        var error = new JournalException(
            $"'{_work.Path}': cannot recover its journaled changes from {_journalName}: {reason.GetBaseException().Message}", _work.Path, reason);
        _work.Discard();
        Host.Tell(new PathFailed(_work.Path, error));
        base.OnRecoveryFailure(reason, message);
    }

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
            AfterWrites();
            return;
        }

        _writing = true;
        _writingReplies = replies;
        PersistAsync(events.Count == 1 ? events[0] : new EntryChanges(events), _ =>
        {
            _writing = false;
            var written = _writingReplies;
            _writingReplies = [];
            Answer(written);
            if (_work.OverBudget)
            {
                // Past the store's limit this path writes its own buffer (its producers wait) and asks the coordinator to flush the others.
                if (_work.Unflushed > 0 && !_flushesWaiting.Contains(null))
                {
                    _flushesWaiting.Add(null);
                }

                Host.Tell(MemoryPressure.Instance);
            }

            if (_nextReplies.Count > 0)
            {
                WriteNext();
            }
            else
            {
                AfterWrites();
            }
        });
    }

    private void RequestFlush(IActorRef? sender)
    {
        if (!_writing && _nextEvents.Count == 0)
        {
            var reply = FlushAndTrim();
            sender?.Tell(reply);
            return;
        }

        _flushesWaiting.Add(sender);
        if (!_writing)
        {
            WriteNext();
        }
    }

    // No journal write is in flight: the flushes that waited for them run, and the commands held back meanwhile are taken up.
    private void AfterWrites()
    {
        if (_flushesWaiting.Count > 0)
        {
            var reply = FlushAndTrim();
            foreach (var sender in _flushesWaiting)
            {
                sender?.Tell(reply);
            }

            _flushesWaiting.Clear();
            Stash.UnstashAll();
        }

        StopIfAsked();
    }

    // A journal write, a flush waiting for one, a closing store's trim or a snapshot is under way.
    private bool Busy => _writing || _flushesWaiting.Count > 0 || _trimsWaiting.Count > 0 || _savingSnapshot;

    // The coordinator asked this actor to stop while it was busy: asked again behind the commands
    // taken up meanwhile, so they are answered before the stop.
    private void StopIfAsked()
    {
        if (_stopWhenDone && !Busy)
        {
            _stopWhenDone = false;
            Self.Tell(StopPath.Instance);
        }
    }

    private static void Answer(List<(IActorRef Sender, object Reply)> replies)
    {
        foreach (var (sender, reply) in replies)
        {
            sender.Tell(reply);
        }
    }

    // Only journaled changes are applied at this point (commands wait while a flush does), so the
    // snapshot and the trim may cover every event so far.
    private object FlushAndTrim()
    {
        var reply = _work.Flush();
        if (reply is PathFlushed && LastSequenceNr > _coveredTo)
        {
            CrashPoint.Hit(CrashPoint.JournalFilesFlushed);
            if (_work.Producers.Version != _snapshotVersion)
            {
                SaveSnapshot(_work.Snapshot());
                _snapshotVersion = _work.Producers.Version;
                _savingSnapshot = true;
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

    // Every change not journaled is answered as failed with the error (so no caller waits for its
    // timeout) and dropped from the entry; commands held back for a flush were never applied.
    private void Fail(JournalException error)
    {
        // The coordinator hears first, so commands sent after a caller learns of the failure go to a new actor.
        Host.Tell(new PathFailed(_work.Path, error));
        foreach (var (sender, reply) in _writingReplies.Concat(_nextReplies))
        {
            sender.Tell(AsFailure(reply, error));
        }

        foreach (var sender in _flushesWaiting)
        {
            sender?.Tell(new PathFlushFailed(_work.Path, error));
        }

        // The actor stops: trims wait for no flush of its own.
        AnswerTrims(new PathFlushFailed(_work.Path, error));

        foreach (var held in Stash.ClearStash())
        {
            held.Sender.Tell(StoreCoordinator.Refusal(held.Message, error));
        }

        _writingReplies = [];
        _nextReplies = [];
        _nextEvents = [];
        _flushesWaiting.Clear();
        _writing = false;
        _work.Discard();
    }

    // A closing store asked for every covered event to be deleted: once the snapshot is saved, delete
    // what is covered and not yet deleted; answer once the journal confirmed every deletion.
    private void TrimCovered()
    {
        if (_trimsWaiting.Count == 0 || _savingSnapshot)
        {
            return;
        }

        if (_coveredTo > _trimmedTo)
        {
            DeleteMessages(_coveredTo);
            _trimmedTo = _coveredTo;
            return;
        }

        if (_trimConfirmedTo >= _trimmedTo)
        {
            AnswerTrims(new PathFlushed(_work.Path));
        }
    }

    // Cluster mode, on handoff, passivation or a leaving node (idle by now): flush what is journaled
    // and not yet in the files, then drop the entry from this node's core store, so that whichever
    // node owns the path next (this one included) reads the files, and stop. A flush that fails
    // leaves the changes in the journal, where the next owner finds them.
    private void HandOver()
    {
        if (_work.Unflushed > 0 || LastSequenceNr > _coveredTo)
        {
            _handOverFailure = FlushAndTrim() is PathFlushFailed failed ? failed.Cause : null;
            if (Busy)
            {
                _stopWhenDone = true; // the producer log's snapshot is being saved: asked again after it
                return;
            }
        }

        _work.Reload();
        _node!.Tell(new HandedOver(_work.Path, _handOverFailure));
        Context.Stop(Self);
    }

    private void AnswerFlushReports(object reply)
    {
        foreach (var sender in _flushReports)
        {
            sender.Tell(reply is PathFlushFailed failed
                ? new FlushFailed(new FlushReport([new PathFlushOutcome(_work.Path, failed.Cause)]))
                : new Flushed(new FlushReport([new PathFlushOutcome(_work.Path, null)])));
        }

        _flushReports.Clear();
    }

    private void AnswerTrims(object reply)
    {
        foreach (var sender in _trimsWaiting)
        {
            sender.Tell(reply);
        }

        _trimsWaiting.Clear();
        StopIfAsked();
    }

    private static object AsFailure(object reply, Exception error) => reply switch
    {
        Appended appended => new AppendFailed(error, appended.ProducerId, appended.Sequence),
        Written => new WriteFailed(error),
        ReadResult => new ReadFailed(error),
        BatchReplies batch => new BatchReplies([.. batch.Replies.Select(r => AsFailure(r, error))]),
        _ => reply, // already a refusal: nothing was applied
    };

    /// <summary>Deletes the covered events a stopping actor has not trimmed yet (best effort: replay skips them anyway).</summary>
    protected override void PostStop()
    {
        if (_coveredTo > _trimmedTo)
        {
            DeleteMessages(_coveredTo);
        }

        if (Sharded)
        {
            // Stopped by force (a handoff that timed out, the node leaving): the next owner replays the journal; this node keeps no copy.
            _work.Reload();
        }

        AnswerTrims(new PathFlushFailed(_work.Path, new StoreException($"'{_work.Path}': its actor stopped before its journal was trimmed.", _work.Path)));
        base.PostStop();
    }
}
