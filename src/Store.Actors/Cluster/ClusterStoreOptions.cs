namespace Store.Actors;

/// <summary>
/// How an actor store runs as one store across the nodes of an Akka.NET cluster: every entry path
/// is a sharded entity (Akka.Cluster.Sharding, entity id = path) owned by one node at a time, nodes
/// with <see cref="Role"/> hold the entities and write the shared root (each only the paths it
/// owns), others only send commands. Cluster mode is durable only: the journal is a server database
/// every node reaches, and <see cref="ActorStoreOptions.StoreId"/> names the store in it.
/// </summary>
public sealed record ClusterStoreOptions
{
    /// <summary>
    /// The shards the paths are spread over; never change it while the cluster's journal holds
    /// the store (a path would move to another shard). <b>Default</b>: 100 (ten per node for up to ten nodes).
    /// </summary>
    public int NumberOfShards { get; init; } = 100;

    /// <summary>The cluster role of the nodes that hold entities and write files; other nodes are clients. <b>Default</b>: <c>store</c>.</summary>
    public string Role { get; init; } = "store";
}
