using Akka.Cluster.Sharding;
using static Store.Actors.StoreProtocol;

namespace Store.Actors;

/// <summary>
/// Sharding's view of the protocol: a command's entity is its path; the shard is a hash of the path
/// over a fixed number of shards. Messages without a path (internal ones) travel in a <see cref="ToPath"/>.
/// </summary>
internal sealed class PathMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    /// <inheritdoc />
    public override string? EntityId(object message) => message switch
    {
        PathCommand command => command.Path,
        CommandBatch batch => batch.Path,
        ToPath envelope => envelope.Path,
        _ => null,
    };

    /// <inheritdoc />
    public override object EntityMessage(object message) => message is ToPath envelope ? envelope.Message : message;
}
