namespace Store.Core;

/// <summary>
/// The store's mode forbids the operation (a write in <c>r</c>), the root does not satisfy the
/// mode (<c>r</c> on a missing root, <c>w-</c> on an existing one), or the mode is unknown.
/// </summary>
public sealed class StoreModeException(string message, string? path = null)
    : StoreException(message, path);
