using Akka.Actor;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// A client's commands for one path, sent in call order with at most <see cref="MaxInFlight"/>
/// messages unanswered: what callers add meanwhile goes as the next <see cref="CommandBatch"/>. So
/// concurrent producers share round trips (and, when durable, journal writes) without reordering
/// anyone's calls, and the next batch is already at the path actor when the previous one is done.
/// </summary>
internal sealed class PathQueue(IActorRef coordinator, string path, TimeSpan timeout)
{
    /// <summary>Batches sent and not yet answered, at most.</summary>
    public const int MaxInFlight = 2;

    private readonly Lock _gate = new();
    private List<(PathCommand Command, TaskCompletionSource<object> Reply)> _queued = [];
    private int _inFlight;

    /// <summary>Queues <paramref name="command"/>; the task completes with its reply.</summary>
    public Task<object> Send(PathCommand command)
    {
        var reply = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _queued.Add((command, reply));
            if (_inFlight < MaxInFlight)
            {
                SendQueued();
            }
        }

        return reply.Task;
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

    private void Complete(List<(PathCommand Command, TaskCompletionSource<object> Reply)> batch, Task<object> answer)
    {
        if (!answer.IsCompletedSuccessfully)
        {
            var error = new Core.StoreException(
                $"'{path}': the store did not answer {batch.Count} command(s) within {timeout}.", path, answer.Exception?.GetBaseException());
            foreach (var (_, reply) in batch)
            {
                reply.TrySetException(error);
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
}
