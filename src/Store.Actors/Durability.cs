namespace Store.Actors;

/// <summary>When an acknowledged write or append is safe from a crash.</summary>
public enum Durability
{
    /// <summary>Buffered in memory until the next flush; a crash loses what was not flushed.</summary>
    None,

    /// <summary>Journaled (Akka.Persistence, SQLite under the store root by default) before it is acknowledged; replayed on open.</summary>
    Journal,
}
