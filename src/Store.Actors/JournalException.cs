using Store.Core;

namespace Store.Actors;

/// <summary>
/// The journal could not store or replay a path's changes (a full disk, a locked, corrupt or
/// unreadable journal database). The message names the journal and the path; changes it refused
/// were not applied, and the store keeps serving the path from its files and what was journaled.
/// </summary>
public sealed class JournalException(string message, string? path, Exception? inner = null)
    : StoreException(message, path, inner);
