using Store.Core;

namespace Store.Actors;

/// <summary>
/// The store did not answer a command within <see cref="ActorStoreOptions.AskTimeout"/>. Whether the
/// command was applied is unknown: retry an append with its producer id and sequence number, and
/// it is applied once.
/// </summary>
public sealed class StoreTimeoutException(string message, string? path, Exception? inner = null)
    : StoreException(message, path, inner);
