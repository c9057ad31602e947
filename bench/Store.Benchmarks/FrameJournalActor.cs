using Akka.Actor;
using Akka.Persistence;

namespace Store.Benchmarks;

/// <summary>
/// Akka.Persistence with nothing of the store (issue 16's journal breakdown): frames persisted with
/// <c>PersistAsync</c> through whatever journal the actor system configures, each acknowledged once
/// stored. Per frame, each frame's bytes are one event (Akka batches the events that arrive while a
/// write is in flight into one journal write, as rows of one transaction); grouped, as the store's
/// path actor does it, one write is in flight at a time and the frames that arrive meanwhile are
/// concatenated into the next write's one event. A byte array is serialized by Akka's own byte-array
/// serializer, so what is measured is the journal plugin and the database, not a codec.
/// </summary>
internal sealed class FrameJournalActor : ReceivePersistentActor
{
    private readonly List<PersistFrame> _pending = [];
    private IActorRef? _trimRequester;
    private bool _writing;

    public FrameJournalActor(string persistenceId, bool grouped)
    {
        PersistenceId = persistenceId;
        Recover<byte[]>(_ => { });
        Command<PersistFrame>(frame =>
        {
            if (!grouped)
            {
                PersistAsync(frame.Bytes, _ => frame.Stored.TrySetResult());
                return;
            }

            _pending.Add(frame);
            if (!_writing)
            {
                WriteGroup();
            }
        });
        Command<Ping>(_ => Sender.Tell(Ping.Instance));
        Command<TrimJournal>(_ =>
        {
            if (LastSequenceNr == 0)
            {
                Sender.Tell(Ping.Instance);
                return;
            }

            _trimRequester = Sender;
            DeleteMessages(LastSequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => _trimRequester?.Tell(Ping.Instance));
        Command<DeleteMessagesFailure>(failure => _trimRequester?.Tell(new Status.Failure(failure.Cause)));
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>The props for the actor of <paramref name="persistenceId"/>: an event per frame, or per group of the frames that arrived during the previous write.</summary>
    public static Props Props(string persistenceId, bool grouped) => Akka.Actor.Props.Create(() => new FrameJournalActor(persistenceId, grouped));

    // The frames that arrived since the last write, as one event; the next group is written once it is stored.
    private void WriteGroup()
    {
        var group = _pending.ToArray();
        _pending.Clear();
        _writing = true;
        var bytes = new byte[group.Sum(f => f.Bytes.Length)];
        var offset = 0;
        foreach (var frame in group)
        {
            frame.Bytes.CopyTo(bytes, offset);
            offset += frame.Bytes.Length;
        }

        PersistAsync(bytes, _ =>
        {
            _writing = false;
            foreach (var frame in group)
            {
                frame.Stored.TrySetResult();
            }

            if (_pending.Count > 0)
            {
                WriteGroup();
            }
        });
    }

    /// <summary>Persist <see cref="Bytes"/> as one event; <see cref="Stored"/> completes once the journal stored it.</summary>
    public sealed record PersistFrame(byte[] Bytes, TaskCompletionSource Stored);

    /// <summary>Answered with itself (once recovered, since commands wait for recovery).</summary>
    public sealed record Ping
    {
        public static readonly Ping Instance = new();
    }

    /// <summary>Delete every event; answered with <see cref="Ping"/> once the journal confirmed it.</summary>
    public sealed record TrimJournal
    {
        public static readonly TrimJournal Instance = new();
    }
}
