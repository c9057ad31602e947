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
internal sealed class PathQueue(IActorRef coordinator, string path, TimeSpan timeout, BufferBudget budget)
{
    /// <summary>Batches sent and not yet answered, at most.</summary>
    public const int MaxInFlight = 2;

    private readonly Lock _gate = new();
    private List<Queued> _queued = [];
    private int _inFlight;

    /// <summary>Queues <paramref name="command"/>, admitted with <paramref name="bytes"/>; <paramref name="reply"/> completes with its answer.</summary>
    public void Send(PathCommand command, long bytes, TaskCompletionSource<object> reply)
    {
        lock (_gate)
        {
            _queued.Add(new Queued(command, bytes, reply));
            if (_inFlight < MaxInFlight)
            {
                SendQueued();
            }
        }
    }

    // Called under the lock, so batches leave in the order their commands were queued.
    private void SendQueued()
    {
        var batch = _queued;
        _queued = [];
        _inFlight++;
        object message = batch.Count == 1 ? batch[0].Command : new CommandBatch(path, [.. batch.Select(b => b.Command)]);
        coordinator.Ask<object>(message, timeout).ContinueWith(
            answer =>
            {
                Complete(batch, answer);
                lock (_gate)
                {
                    _inFlight--;
                    if (_queued.Count > 0)
                    {
                        SendQueued();
                    }
                }
            },
            TaskScheduler.Default);
    }

    private void Complete(List<Queued> batch, Task<object> answer)
    {
        foreach (var queued in batch)
        {
            budget.Complete(queued.Bytes);
        }

        if (!answer.IsCompletedSuccessfully)
        {
            var error = new StoreTimeoutException(
                $"'{path}': the store did not answer {batch.Count} command(s) within {timeout}; whether they were applied is unknown.", path, answer.Exception?.GetBaseException());
            foreach (var queued in batch)
            {
                queued.Reply.TrySetException(error);
            }

            return;
        }

        if (answer.Result is BatchReplies replies)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Reply.TrySetResult(replies.Replies[i]);
            }
        }
        else
        {
            batch[0].Reply.TrySetResult(answer.Result);
        }
    }

    private sealed record Queued(PathCommand Command, long Bytes, TaskCompletionSource<object> Reply);
}
