namespace Store.Hosting;

/// <summary>
/// The <c>Store:Cluster</c> section: one store across the nodes of an Akka.NET cluster (see
/// <c>ClusterStoreOptions</c> in Store.Actors). Every node runs the host with the same <c>Root</c>
/// (a shared filesystem, mounted anywhere), the same server journal and the same <see cref="StoreId"/>.
/// </summary>
public sealed class StoreClusterOptions
{
    /// <summary>Whether the store runs as a cluster. <b>Default</b>: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The store's name in the journal (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>), the same on every node. <b>Default</b>: <c>store</c>.</summary>
    public string StoreId { get; set; } = "store";

    /// <summary>The address this node listens on and is reached at. <b>Default</b>: <c>127.0.0.1</c>.</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>The port this node listens on; 0 for any free port. <b>Default</b>: 4053.</summary>
    public int Port { get; set; } = 4053;

    /// <summary>
    /// The nodes to join first, comma-separated, as <c>akka.tcp://store@host:port</c>. <b>Default</b>:
    /// empty: this node starts the cluster by joining itself.
    /// </summary>
    public string SeedNodes { get; set; } = "";

    /// <summary>
    /// This node's cluster roles, comma-separated: <c>store</c> holds paths and writes files,
    /// <c>client</c> only sends commands. <b>Default</b>: <c>store</c>.
    /// </summary>
    public string Roles { get; set; } = "store";

    /// <summary>
    /// How many members the cluster needs before any of them is up (serves paths): with several store
    /// nodes starting together, paths are then spread over all of them from the start instead of all
    /// landing on the first node and moving later. <b>Default</b>: 1.
    /// </summary>
    public int MinimumMembers { get; set; } = 1;

    /// <summary>
    /// How the split-brain resolver decides which side of a partition survives (the other side's nodes
    /// are downed, so a path never has two owners for long): <c>keep-majority</c> (the side with more
    /// members; a tie keeps the side with the lowest address) or <c>keep-oldest</c> (the side with the
    /// oldest member, which runs the shard coordinator). <b>Default</b>: <c>keep-majority</c>.
    /// </summary>
    public string SplitBrainResolver { get; set; } = "keep-majority";

    /// <summary>The split-brain strategies <see cref="SplitBrainResolver"/> accepts.</summary>
    public static readonly IReadOnlyList<string> SplitBrainResolvers = ["keep-majority", "keep-oldest"];

    /// <summary>The shards the paths are spread over; never change it for a store that has data. <b>Default</b>: 100.</summary>
    public int NumberOfShards { get; set; } = 100;

    /// <summary>How long the split-brain resolver waits for a stable view before it downs unreachable nodes. <b>Default</b>: 20 s.</summary>
    public TimeSpan StableAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a shard's handoff may take (its paths flush first): at least <c>Store:FlushTimeout</c> (5 min) plus 30 s. <b>Default</b>: 6 min.</summary>
    public TimeSpan HandOffTimeout { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>The largest message between nodes, in bytes (commands, batches and read results stay below it). <b>Default</b>: 4 MiB.</summary>
    public long MaximumFrameSize { get; set; } = 4L << 20;

    /// <summary>The seed nodes as a list.</summary>
    public IReadOnlyList<string> SeedNodeList() => Split(SeedNodes);

    /// <summary>The roles as a list.</summary>
    public IReadOnlyList<string> RoleList() => Split(Roles);

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
