namespace Store.Actors;

/// <summary>
/// The memory one store may hold: bytes its path actors buffer until a flush, plus bytes its
/// clients have sent (or rented) and not yet had answered, against <c>MaxBufferedBytes</c>; and the
/// commands sent and not answered, against <c>MaxPendingCommands</c>. A command is admitted when
/// both fit (one that is larger than the whole limit is admitted alone); until then it waits in one
/// queue, in the order commands were issued, so waiting never reorders a caller's commands. A
/// command that waits for bytes asks for a flush (<see cref="Pressure"/>).
/// </summary>
internal sealed class BufferBudget(long limit, int maxCommands)
{
    private readonly Lock _gate = new();
    private readonly Queue<Waiter> _waiting = new();
    private int _waiters; // _waiting.Count, read without the lock: a release that finds no one waiting takes no lock
    private long _buffered;
    private long _inFlight;
    private int _commands;

    /// <summary>Called (outside any lock) when a command has to wait for bytes: the owner starts a flush.</summary>
    public Action? Pressure { get; set; }

    /// <summary>Bytes held now: buffered by path actors, and sent or rented by clients and not yet answered.</summary>
    public long Used => Interlocked.Read(ref _buffered) + Interlocked.Read(ref _inFlight);

    /// <summary>Bytes path actors buffer until their next flush.</summary>
    public long Buffered => Interlocked.Read(ref _buffered);

    /// <summary>Whether the store holds more than its limit (a path actor then flushes before it answers).</summary>
    public bool Exceeded => Used > limit;

    /// <summary>Whether commands wait for room.</summary>
    public bool HasWaiters
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count > 0;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> while no command is being admitted (so it sees whether one was sent).</summary>
    public void Synchronized(Action action)
    {
        lock (_gate)
        {
            action();
        }
    }

    /// <summary>Counts bytes a path actor buffered (negative: released by a flush) and admits what now fits.</summary>
    public void AddBuffered(long bytes)
    {
        Interlocked.Add(ref _buffered, bytes);
        if (bytes < 0 && Volatile.Read(ref _waiters) > 0)
        {
            AdmitWaiting();
        }
    }

    /// <summary>
    /// Runs <paramref name="send"/> once one more command and <paramref name="bytes"/> more bytes fit,
    /// after every command admitted before it: at once when they fit and nothing waits, else later,
    /// on the thread that makes room. Every admission is matched by one <see cref="Complete"/>. A
    /// command whose <paramref name="cancellation"/> fires while it waits is dropped, never sent.
    /// <paramref name="send"/> gets <paramref name="state"/>: a static lambda and a state object the
    /// caller has anyway cost no allocation per command.
    /// </summary>
    public void Admit(long bytes, Action<object> send, object state, CancellationToken cancellation = default)
    {
        bool waitsForBytes;
        lock (_gate)
        {
            if (_waiting.Count == 0 && Fits(bytes))
            {
                Take(bytes);
                send(state);
                return;
            }

            _waiting.Enqueue(new Waiter(bytes, send, state, cancellation));
            Interlocked.Increment(ref _waiters);

            // A release that read no waiters before the increment admits no one, so look again: either
            // it sees this waiter, or this sees what it released (both sides fence before they read).
            AdmitLocked();
            waitsForBytes = _waiting.TryPeek(out var head) && !BytesFit(head.Bytes);
        }

        if (waitsForBytes)
        {
            Pressure?.Invoke();
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> without a command (a rented frame), waiting in the same queue.</summary>
    public Task Reserve(long bytes, CancellationToken cancellation)
    {
        var reserved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellation.Register(() => reserved.TrySetCanceled(cancellation));
        Action admitted = () =>
        {
            Interlocked.Decrement(ref _commands); // a reservation holds bytes only
            registration.Dispose();
            if (!reserved.TrySetResult())
            {
                Interlocked.Add(ref _inFlight, -bytes); // cancelled as it was admitted; the next release admits who waits
            }
        };
        Admit(bytes, static run => ((Action)run)(), admitted, cancellation);
        return reserved.Task;
    }

    /// <summary><paramref name="commands"/> commands admitted with <paramref name="bytes"/> in all were answered: their bytes and slots are free again.</summary>
    public void Complete(long bytes, int commands = 1)
    {
        Interlocked.Add(ref _commands, -commands);
        Release(bytes);
    }

    /// <summary>Frees <paramref name="bytes"/> reserved in flight (a rented frame given back, or answered).</summary>
    public void Release(long bytes)
    {
        Interlocked.Add(ref _inFlight, -bytes);
        if (Volatile.Read(ref _waiters) > 0)
        {
            AdmitWaiting();
        }
    }

    private void AdmitWaiting()
    {
        bool stillWaitsForBytes;
        lock (_gate)
        {
            AdmitLocked();
            stillWaitsForBytes = _waiting.TryPeek(out var head) && !BytesFit(head.Bytes);
        }

        if (stillWaitsForBytes && Buffered > 0)
        {
            Pressure?.Invoke();
        }
    }

    // Sends run under the lock, so commands leave in the order they were admitted.
    private void AdmitLocked()
    {
        while (_waiting.TryPeek(out var next) && (next.Cancellation.IsCancellationRequested || Fits(next.Bytes)))
        {
            _waiting.Dequeue();
            Interlocked.Decrement(ref _waiters);
            if (!next.Cancellation.IsCancellationRequested)
            {
                Take(next.Bytes);
                next.Send(next.State);
            }
        }
    }

    private void Take(long bytes)
    {
        Interlocked.Add(ref _inFlight, bytes);
        Interlocked.Increment(ref _commands);
    }

    private bool Fits(long bytes) => Volatile.Read(ref _commands) < maxCommands && BytesFit(bytes);

    private bool BytesFit(long bytes) => bytes == 0 || Used == 0 || Used + bytes <= limit;

    private sealed record Waiter(long Bytes, Action<object> Send, object State, CancellationToken Cancellation);
}
