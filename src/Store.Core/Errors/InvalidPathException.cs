namespace Store.Core;

/// <summary>
/// An entry path that is empty, absolute, holds <c>..</c>, <c>.</c>, empty segments, backslashes
/// or control characters, would resolve outside the store's root, names files too long for the
/// file system, or reaches its files through a symbolic link below the root.
/// </summary>
public sealed class InvalidPathException(string message, string? path)
    : StoreException(message, path);
