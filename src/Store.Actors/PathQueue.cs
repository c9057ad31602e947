using Akka.Actor;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// A client's commands for one path, sent in call order with at most <see cref="MaxInFlight"/>
/// messages unanswered: what callers add meanwhile goes as the next <see cref="CommandBatch"/>. So
/// concurrent producers share round trips (and, when durable, journal writes) without reordering
/// anyone's calls, and the next batch is already at the path actor when the previous one is done.
/// Each answered command frees its place in the store's <see cref="BufferBudget"/>.
/// </summary>
/// <param name="coordinator">Where the commands go (the coordinator, or in cluster mode the cluster coordinator).</param>
/// <param name="path">The path the commands are for.</param>
/// <param name="timeout">How long a batch may wait for its answer.</param>
/// <param name="budget">The store's memory budget, which each answered command frees its bytes in.</param>
/// <param name="maxMessageBytes">
/// Cluster mode: the most one message may carry (from the remoting frame size), counted as the
/// commands' data plus <see cref="CommandOverhead"/> each; a batch never passes it. Otherwise no limit.
/// </param>
/// <param name="localReplies">
/// A store in this process (not cluster mode): the actor system's provider, and each batch's answer
/// comes straight back to the queue (<see cref="BatchReply"/>) on the thread that sends it, so the
/// next batch leaves at once; no temporary actor, timer and thread-pool hops of an Ask per batch.
/// Null: each batch is an Ask (cluster mode: the answer must find its way back across the network).
/// </param>
internal sealed class PathQueue(IActorRef coordinator, string path, TimeSpan timeout, BufferBudget budget, long maxMessageBytes = long.MaxValue, IActorRefProvider? localReplies = null)
{
    /// <summary>Batches sent and not yet answered, at most.</summary>
    public const int MaxInFlight = 2;

    /// <summary>What a command costs on the wire besides its data (fields, an Arrow schema or NPY header), counted generously.</summary>
    public const long CommandOverhead = 1024;

    private readonly Lock _gate = new();
    private readonly List<BatchReply> _waiting = [];
    private List<IQueued> _queued = [];
    private int _inFlight;
    private ActorPath? _replyPath;

    private IActorRefProvider Replies => localReplies!;

    private ActorPath ReplyPath => _replyPath ??= Replies.TempPath();

    /// <summary>Queues a command admitted by the store's budget; it completes with its answer.</summary>
    public void Send(IQueued queued)
    {
        lock (_gate)
        {
            _queued.Add(queued);
            if (_inFlight < MaxInFlight)
            {
                SendQueued();
            }
        }
    }

    // Called under the lock, so batches leave in the order their commands were queued.
    private void SendQueued()
    {
        // Commands in order while the batch stays within the message limit (always at least one).
        // With a limit, a read ends its batch: its answer alone may need a whole message back.
        var take = 1;
        var size = _queued[0].Bytes + CommandOverhead;
        while (take < _queued.Count && size + _queued[take].Bytes + CommandOverhead <= maxMessageBytes
            && (maxMessageBytes == long.MaxValue || _queued[take - 1].Command is Append or Write))
        {
            size += _queued[take].Bytes + CommandOverhead;
            take++;
        }

        var batch = take == _queued.Count ? _queued : _queued[..take];
        _queued = take == _queued.Count ? [] : _queued[take..];
        _inFlight++;
        object message = batch.Count == 1 ? batch[0].Command : new CommandBatch(path, [.. batch.Select(b => b.Command)]);
        if (localReplies is not null)
        {
            var reply = new BatchReply(this, batch, Environment.TickCount64 + (long)timeout.TotalMilliseconds);
            _waiting.Add(reply);
            coordinator.Tell(message, reply);
            return;
        }

        coordinator.Ask<object>(message, timeout).ContinueWith(
            answer => Answered(batch, answer.IsCompletedSuccessfully ? answer.Result : null, answer.Exception?.GetBaseException()),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, // Ask completes on a pool thread already; no second hop before the next batch leaves
            TaskScheduler.Default);
    }

    /// <summary>Fails the batches whose answer is overdue (the store calls it every quarter of AskTimeout, at most a second apart).</summary>
    public void ExpireOverdue()
    {
        List<BatchReply>? overdue = null;
        var now = Environment.TickCount64;
        lock (_gate)
        {
            foreach (var reply in _waiting)
            {
                if (reply.Deadline <= now)
                {
                    (overdue ??= []).Add(reply);
                }
            }
        }

        foreach (var reply in overdue ?? [])
        {
            reply.Expire();
        }
    }

    // A batch's answer (null with the failure when it has none): its commands complete, and what waits goes next.
    private void Answered(List<IQueued> batch, object? answer, Exception? failure, BatchReply? reply = null)
    {
        Complete(batch, answer, failure);
        lock (_gate)
        {
            if (reply is not null)
            {
                _waiting.Remove(reply);
            }

            _inFlight--;
            while (_queued.Count > 0 && _inFlight < MaxInFlight)
            {
                SendQueued();
            }
        }
    }

    private void Complete(List<IQueued> batch, object? answer, Exception? failure)
    {
        var bytes = 0L;
        foreach (var queued in batch)
        {
            bytes += queued.Admitted;
        }

        budget.Complete(bytes, batch.Count);

        if (answer is null)
        {
            var error = new StoreTimeoutException(
                $"'{path}': the store did not answer {batch.Count} command(s) within {timeout}; whether they were applied is unknown.", path, failure);
            foreach (var queued in batch)
            {
                queued.Fail(error);
            }

            return;
        }

        if (answer is BatchReplies replies)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Answer(replies.Replies[i]);
            }
        }
        else
        {
            batch[0].Answer(answer);
        }
    }

    /// <summary>
    /// Where a local batch's answer goes: an actor reference that is no actor (like an Ask's), answered
    /// once, by the path actor (or the coordinator's refusal), or by <see cref="ExpireOverdue"/> when late.
    /// One path for all of a queue's replies: nothing looks them up by path.
    /// </summary>
    private sealed class BatchReply(PathQueue queue, List<IQueued> batch, long deadline) : MinimalActorRef
    {
        private int _answered;

        public long Deadline { get; } = deadline;

        public override ActorPath Path => queue.ReplyPath;

        public override IActorRefProvider Provider => queue.Replies;

        /// <summary>No answer came in time: the batch fails with <see cref="StoreTimeoutException"/>.</summary>
        public void Expire()
        {
            if (Interlocked.Exchange(ref _answered, 1) == 0)
            {
                queue.Answered(batch, null, null, this);
            }
        }

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (Interlocked.Exchange(ref _answered, 1) == 0)
            {
                queue.Answered(batch, message, null, this);
            }
        }
    }

    /// <summary>Sends a queued command once the budget admitted it (a static callback: no closure per command).</summary>
    public static readonly Action<object> SendAdmitted = static queued => ((IQueued)queued).Queue.Send((IQueued)queued);

    /// <summary>A command on its way, with its data's size, the bytes it holds of the budget, and what completes it.</summary>
    internal interface IQueued
    {
        PathQueue Queue { get; }

        PathCommand Command { get; }

        /// <summary>The bytes of data the command carries: what it adds to a batch's message.</summary>
        long Bytes { get; }

        /// <summary>The bytes it was admitted to the budget with, freed when it completes: <see cref="Bytes"/>, or 0 when they were reserved before (a rented frame).</summary>
        long Admitted { get; }

        /// <summary>Completes the command with the store's reply.</summary>
        void Answer(object reply);

        /// <summary>Fails the command: no reply came.</summary>
        void Fail(Exception error);
    }

    /// <summary>
    /// A command on its way that is its own reply task (one object per command, also while it waits
    /// for room in the budget): <paramref name="result"/> turns the store's reply into the caller's
    /// value, or throws the refusal it carries, so no async method per call sits in between.
    /// </summary>
    internal sealed class Queued<T>(PathQueue queue, PathCommand command, long bytes, bool reserved, Func<object, T> result)
        : TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously), IQueued
    {
        public PathQueue Queue { get; } = queue;

        public PathCommand Command { get; } = command;

        public long Bytes { get; } = bytes;

        public long Admitted => reserved ? 0 : Bytes;

        public void Answer(object reply)
        {
            T value;
            try
            {
                value = result(reply);
            }
            catch (Exception e)
            {
                TrySetException(e);
                return;
            }

            TrySetResult(value);
        }

        public void Fail(Exception error) => TrySetException(error);
    }
}
