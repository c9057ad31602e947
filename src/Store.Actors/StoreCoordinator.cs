using Akka.Actor;
using Akka.Event;
using Store.Core;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// One per store: creates a path actor per entry path on demand and routes every command to it,
/// fans out <see cref="Flush"/> to all path actors and gathers one report, answers
/// <see cref="Available"/>, and stops idle path actors. With a journal it first starts every path
/// actor the registry knows, so their journaled changes are recovered before the store serves.
/// </summary>
internal sealed class StoreCoordinator : ReceiveActor, IWithStash
{
    private readonly EntryOps _ops;
    private readonly ActorStoreOptions _options;
    private readonly string _storeId;
    private readonly BufferBudget _budget;
    private readonly Dictionary<string, PathWork> _work = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _stopping = [];
    private readonly HashSet<string> _registered = new(StringComparer.Ordinal);

    // Why path actors stopped (a journal failure, a failed recovery), for answering the commands that reached them too late.
    private readonly Dictionary<IActorRef, Exception> _failures = [];
    private readonly string _journalName;

    // Commands for paths whose actor cannot take them yet (registering, or the old actor still stopping).
    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _waiting = new(StringComparer.Ordinal);
    private IActorRef? _registry;
    private long _generation;
    private bool _pressureFlushRunning;
    private int _childNumber;

    public StoreCoordinator(EntryOps ops, ActorStoreOptions options, string storeId, BufferBudget budget)
    {
        _ops = ops;
        _options = options;
        _storeId = storeId;
        _budget = budget;
        _journalName = Durable ? StoreActorConfig.JournalName(options) : "";
        if (Durable)
        {
            Become(Recovering);
        }
        else
        {
            Become(Serving);
        }
    }

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    private bool Durable => StoreActorConfig.IsJournaled(_options);

    /// <summary>Creates the props, on the I/O dispatcher: stopping the coordinator closes the core store, which flushes files.</summary>
    public static Props Props(EntryOps ops, ActorStoreOptions options, string storeId, BufferBudget budget) =>
        Akka.Actor.Props.Create(() => new StoreCoordinator(ops, options, storeId, budget)).WithDispatcher(StoreActorConfig.IoDispatcher);

    /// <inheritdoc />
    protected override void PreStart()
    {
        // A path actor that stops leaves the commands in its mailbox as dead letters: each is answered with why, never left to time out.
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
        if (!Durable)
        {
            return;
        }

        _registry = Context.ActorOf(Akka.Actor.Props.Create(() => new PathRegistry($"store-paths|{_storeId}")), "paths");
        _registry.Tell(_ops.Store.Mode == StoreMode.Write ? PathRegistry.Clear.Instance : PathRegistry.ListPaths.Instance);
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e => e is ActorInitializationException ? Directive.Stop : Directive.Restart);

    /// <summary>A restart keeps the core store (the next instance gets the same one); only a real stop closes it.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        foreach (var child in Context.GetChildren())
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _ops.Dispose();
    }

    // Handled in every state: they answer callers, whatever the coordinator is doing.
    private void AnswerLostCommands()
    {
        Receive<PathFailed>(failed =>
        {
            // The actor is stopping: later commands wait for a new one (which recovers) instead of reaching a dead mailbox.
            _failures[Sender] = failed.Cause;
            if (_children.TryGetValue(failed.Path, out var child) && child.Equals(Sender))
            {
                _children.Remove(failed.Path);
                _stopping[child] = failed.Path;
                _waiting.TryAdd(failed.Path, []);
            }
        });
        Receive<DeadLetter>(dead =>
        {
            if (!Self.Path.Equals(dead.Recipient.Path.Parent) || dead.Sender.IsNobody() || dead.Sender.Equals(Context.System.DeadLetters))
            {
                return;
            }

            var path = dead.Message switch
            {
                PathCommand command => command.Path,
                CommandBatch batch => batch.Path,
                FlushPath or TrimPath => PathOfChild(dead.Recipient),
                _ => null,
            };
            if (path is null)
            {
                return;
            }

            var failure = _failures.GetValueOrDefault(dead.Recipient);
            if (dead.Message is FlushPath or TrimPath)
            {
                // A flush fanned out as the actor stopped: failed with why it stopped, or (passivated) asked again of its successor.
                if (failure is not null)
                {
                    dead.Sender.Tell(new PathFlushFailed(path, failure));
                }
                else
                {
                    Route(path, dead.Message, dead.Sender);
                }

                return;
            }

            dead.Sender.Tell(Refusal(dead.Message, failure
                ?? new StoreException($"'{path}': its actor stopped before taking the command; it was not applied.", path)));
        });
    }

    private void Recovering()
    {
        AnswerLostCommands();
        var recovering = 0;
        Receive<PathRegistry.KnownPaths>(known =>
        {
            _generation = known.Generation;
            foreach (var path in known.Paths)
            {
                _registered.Add(path);
                StartChild(path).Tell(RecoveryProbe.Instance);
                recovering++;
            }

            if (recovering == 0)
            {
                Ready();
            }
        });
        Receive<RecoveryProbe>(_ =>
        {
            if (--recovering == 0)
            {
                Ready();
            }
        });
        Receive<Terminated>(terminated =>
        {
            // Its recovery failed (PathFailed said why); the store serves the other paths, and the next command to this one tries again.
            if (_stopping.Remove(terminated.ActorRef, out var path))
            {
                _waiting.Remove(path);
            }

            Forget(terminated.ActorRef);

            if (--recovering == 0)
            {
                Ready();
            }
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Become(Serving);
        Stash.UnstashAll();
    }

    private void Serving()
    {
        AnswerLostCommands();
        Receive<CommandBatch>(batch => Route(batch.Path, batch, Sender));
        Receive<PathCommand>(command => Route(command.Path, command, Sender));
        Receive<Flush>(flush =>
        {
            if (flush.Path is null)
            {
                FlushAll(Sender, FlushPath.Instance);
            }
            else
            {
                FlushOne(flush, Sender);
            }
        });
        Receive<Close>(_ => FlushAll(Sender, Durable ? TrimPath.Instance : FlushPath.Instance));
        Receive<Available>(_ => Sender.Tell(new AvailableEntries(_ops.Store.Available())));
        Receive<PathRegistry.Registered>(registered =>
        {
            _registered.Add(registered.Path);
            Release(registered.Path);
        });
        Receive<StayActive>(_ =>
        {
            // It took commands after asking to stop: it keeps the path, with the commands that waited meanwhile.
            if (_stopping.Remove(Sender, out var path))
            {
                _children[path] = Sender;
                Release(path, Sender);
            }
        });
        Receive<Passivate>(passivate =>
        {
            if (_children.TryGetValue(passivate.Path, out var child) && child.Equals(Sender))
            {
                _children.Remove(passivate.Path);
                _stopping[child] = passivate.Path;
                _waiting[passivate.Path] = [];
                child.Tell(StopPath.Instance);
            }
        });
        Receive<Terminated>(terminated =>
        {
            if (_stopping.Remove(terminated.ActorRef, out var path))
            {
                Release(path);
                return;
            }

            // Stopped on its own (a journal failure): the next command starts a new one, which recovers.
            Forget(terminated.ActorRef);
        });
        Receive<MemoryPressure>(_ =>
        {
            if (_pressureFlushRunning)
            {
                return;
            }

            _pressureFlushRunning = true;
            var self = Self;
            FlushChildren(FlushPath.Instance).ContinueWith(_ => self.Tell(PressureRelieved.Instance), TaskScheduler.Default);
        });
        Receive<PressureRelieved>(_ =>
        {
            _pressureFlushRunning = false;

            // Commands that were in flight during that flush may have filled the buffers again while callers still wait.
            if (_budget.HasWaiters && _budget.Buffered > 0)
            {
                Self.Tell(MemoryPressure.Instance);
            }
        });
    }

    private void Route(string path, object message, IActorRef sender)
    {
        if (_children.TryGetValue(path, out var child))
        {
            child.Tell(message, sender);
            return;
        }

        if (_waiting.TryGetValue(path, out var waiting))
        {
            waiting.Add((message, sender));
            return;
        }

        try
        {
            _ops.Store.ValidatePath(path);
        }
        catch (InvalidPathException e)
        {
            sender.Tell(Refusal(message, e));
            return;
        }

        if (Durable && !_registered.Contains(path))
        {
            // The path is journaled before its first change, so a restart finds its events.
            _waiting[path] = [(message, sender)];
            _registry!.Tell(new PathRegistry.Register(path));
            return;
        }

        StartChild(path).Tell(message, sender);
    }

    // Hands the commands that waited for the path's actor to it (a new one unless given), in order.
    private void Release(string path, IActorRef? child = null)
    {
        if (!_waiting.Remove(path, out var waiting))
        {
            return;
        }

        if (waiting.Count == 0)
        {
            return;
        }

        child ??= StartChild(path);
        foreach (var (message, sender) in waiting)
        {
            if (message is Flush)
            {
                // Asked after the commands before it, so it covers them.
                Report(FlushChild(path, child), sender);
            }
            else
            {
                child.Tell(message, sender);
            }
        }
    }

    // A child is named after its path (escaped) and a counter: "<path>-<n>".
    private string? PathOfChild(IActorRef child)
    {
        var name = child.Path.Name;
        var dash = name.LastIndexOf('-');
        return dash > 0 ? Uri.UnescapeDataString(name[..dash]) : null;
    }

    private void Forget(IActorRef child)
    {
        foreach (var (path, _) in _children.Where(c => c.Value.Equals(child)).ToList())
        {
            _children.Remove(path);
        }
    }

    private IActorRef StartChild(string path)
    {
        if (!_work.TryGetValue(path, out var work))
        {
            work = new PathWork(path, _ops, _budget);
            _work[path] = work;
        }

        var props = Durable
            ? DurablePathActor.Props(work, $"store|{_storeId}|g{_generation}|{path}", _journalName, _options.PassivateAfter, _options.JournalTrimEvents)
            : PathActor.Props(work, _options.PassivateAfter);
        var child = Context.ActorOf(props, $"{Uri.EscapeDataString(path)}-{++_childNumber}");
        Context.Watch(child);
        _children[path] = child;
        return child;
    }

    // Flushes every path (and, with TrimPath, trims its journal) and answers with one report.
    private void FlushAll(IActorRef sender, object request)
    {
        FlushChildren(request).PipeTo(sender, success: outcomes =>
        {
            var report = new FlushReport([.. outcomes.OrderBy(o => o.Path, StringComparer.Ordinal)]);
            return report.Succeeded ? new Flushed(report) : new FlushFailed(report);
        });
    }

    // Each path actor flushes after every command it already has, so the flush covers every change
    // acknowledged before it. Actors asked to stop are asked too: one that stops leaves the request
    // to dead letters, which hand it to its successor (or answer with why it failed).
    private Task<PathFlushOutcome[]> FlushChildren(object request) =>
        Task.WhenAll(_children.Concat(_stopping.Select(s => KeyValuePair.Create(s.Value, s.Key)))
            .Select(child => FlushChild(child.Key, child.Value, request)));

    // request: FlushPath, or TrimPath on close (flush, then delete every covered journal event).
    private async Task<PathFlushOutcome> FlushChild(string path, IActorRef child, object? request = null)
    {
        var timeout = _options.FlushTimeout;
        try
        {
            return await child.Ask<object>(request ?? FlushPath.Instance, timeout) switch
            {
                PathFlushed flushed => new PathFlushOutcome(flushed.Path, null),
                PathFlushFailed failed => new PathFlushOutcome(failed.Path, failed.Cause),
                var other => new PathFlushOutcome(path, new StoreException($"'{path}': unexpected flush reply {other}.", path)),
            };
        }
        catch (AskTimeoutException)
        {
            return new PathFlushOutcome(path, new StoreException($"'{path}': flush did not finish within {timeout}.", path));
        }
    }

    // One path's flush, by its actor (which flushes after the commands it already has), answered with a one-path report.
    private void FlushOne(Flush flush, IActorRef sender)
    {
        var path = flush.Path!;
        if (_children.TryGetValue(path, out var child))
        {
            Report(FlushChild(path, child), sender);
            return;
        }

        if (_waiting.TryGetValue(path, out var waiting))
        {
            waiting.Add((flush, sender));
            return;
        }

        try
        {
            _ops.Store.ValidatePath(path);
        }
        catch (InvalidPathException e)
        {
            Report(Task.FromResult(new PathFlushOutcome(path, e)), sender);
            return;
        }

        if (Durable && !_registered.Contains(path))
        {
            // Never journaled and no actor: nothing of it is held that the files lack.
            Report(Task.FromResult(new PathFlushOutcome(path, null)), sender);
            return;
        }

        // No actor now (passivated, never started, or stopped after a journal failure): a new one
        // flushes, after replaying the journal when there is one.
        Report(FlushChild(path, StartChild(path)), sender);
    }

    private static void Report(Task<PathFlushOutcome> outcome, IActorRef sender) =>
        outcome.PipeTo(sender, success: o => o.Error is null ? new Flushed(new FlushReport([o])) : new FlushFailed(new FlushReport([o])));

    /// <summary>The failure reply a command gets when it is refused before reaching its path actor.</summary>
    internal static object Refusal(object message, Exception cause) => message switch
    {
        Append append => new AppendFailed(cause, append.ProducerId, append.Sequence),
        Write => new WriteFailed(cause),
        CommandBatch batch => new BatchReplies([.. batch.Commands.Select(c => Refusal(c, cause))]),
        _ => new ReadFailed(cause),
    };

    private sealed record PressureRelieved
    {
        public static readonly PressureRelieved Instance = new();
    }
}
