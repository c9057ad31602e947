using Akka.Actor;
using Akka.Persistence;

namespace Store.Actors;

/// <summary>
/// The journaled list of a durable store's paths, so that opening the store can start (and so
/// recover) every path actor that may hold journaled changes, touched or not. Clearing the store
/// (mode <c>w</c>) starts a new generation: path actors of old generations are never started again.
/// </summary>
internal sealed class PathRegistry : ReceivePersistentActor
{
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
    private long _generation;

    public PathRegistry(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<PathRegistered>(e => _paths.Add(e.Path));
        Recover<StoreCleared>(e => Apply(e));
        Recover<SnapshotOffer>(_ => { });
        Command<Register>(register =>
        {
            if (_paths.Contains(register.Path))
            {
                Sender.Tell(new Registered(register.Path, _generation));
                return;
            }

            var sender = Sender;
            Persist(new PathRegistered(register.Path), e =>
            {
                _paths.Add(e.Path);
                sender.Tell(new Registered(e.Path, _generation));
            });
        });
        Command<Clear>(_ =>
        {
            var sender = Sender;
            Persist(new StoreCleared(_generation + 1), e =>
            {
                Apply(e);
                sender.Tell(new KnownPaths([], _generation));
            });
        });
        Command<ListPaths>(_ => Sender.Tell(new KnownPaths([.. _paths], _generation)));
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    private void Apply(StoreCleared cleared)
    {
        _paths.Clear();
        _generation = cleared.Generation;
    }

    /// <summary>Records a path (idempotent). Replies <see cref="Registered"/> once it is journaled.</summary>
    public sealed record Register(string Path);

    /// <summary>The path is journaled in generation <see cref="Generation"/>.</summary>
    public sealed record Registered(string Path, long Generation);

    /// <summary>Forgets every path and starts a new generation. Replies <see cref="KnownPaths"/>.</summary>
    public sealed record Clear
    {
        public static readonly Clear Instance = new();
    }

    /// <summary>Replies <see cref="KnownPaths"/> once recovered.</summary>
    public sealed record ListPaths
    {
        public static readonly ListPaths Instance = new();
    }

    /// <summary>The registered paths of the current generation.</summary>
    public sealed record KnownPaths(IReadOnlyList<string> Paths, long Generation);

    /// <summary>Event: a path was first used.</summary>
    public sealed record PathRegistered(string Path);

    /// <summary>Event: the store was cleared; new generation.</summary>
    public sealed record StoreCleared(long Generation);
}
