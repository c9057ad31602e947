using Akka.Actor;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// A client's commands for one path, sent in call order with at most one message in flight: what
/// callers add while a batch is out goes as the next <see cref="CommandBatch"/>. So concurrent
/// producers share round trips (and, when durable, journal writes) without reordering anyone's calls.
/// </summary>
internal sealed class PathQueue(IActorRef coordinator, string path, TimeSpan timeout)
{
    private readonly Lock _gate = new();
    private List<(PathCommand Command, TaskCompletionSource<object> Reply)> _queued = [];
    private bool _sending;

    /// <summary>Queues <paramref name="command"/>; the task completes with its reply.</summary>
    public Task<object> Send(PathCommand command)
    {
        var reply = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _queued.Add((command, reply));
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            SendNext();
        }

        return reply.Task;
    }

    private void SendNext()
    {
        List<(PathCommand Command, TaskCompletionSource<object> Reply)> batch;
        lock (_gate)
        {
            if (_queued.Count == 0)
            {
                _sending = false;
                return;
            }

            batch = _queued;
            _queued = [];
        }

        object message = batch.Count == 1 ? batch[0].Command : new CommandBatch(path, [.. batch.Select(b => b.Command)]);
        coordinator.Ask<object>(message, timeout).ContinueWith(
            answer =>
            {
                Complete(batch, answer);
                SendNext();
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
