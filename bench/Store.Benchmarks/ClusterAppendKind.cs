namespace Store.Benchmarks;

/// <summary>The sides of the cluster benchmark (issue 15); every one journals each append before acknowledging it.</summary>
public enum ClusterAppendKind
{
    /// <summary>The single-node journaled store as a user runs it by default: one process, the SQLite journal under each root.</summary>
    SingleSqlite,

    /// <summary>One node, no remoting, the journal on the same PostgreSQL server as the cluster's: separates the journal's cost from the network's.</summary>
    SinglePostgres,

    /// <summary>Three store nodes and a client node on 127.0.0.1 (one process), the producers on the client node: every append crosses remoting.</summary>
    ClusterClient,

    /// <summary>The same cluster, the producers on a store node: the paths that node owns are appended to locally, the rest cross remoting.</summary>
    ClusterStoreNode,

    /// <summary>
    /// No store: eight connections insert the same frames and rows straight into PostgreSQL through
    /// Npgsql, 64 rows per statement (one commit each, as a group commit of 64), into a table shaped
    /// like the journal's: what the server itself sustains on this machine, the ceiling of every
    /// PostgreSQL side.
    /// </summary>
    RawPostgres,
}
