namespace Store.Core;

/// <summary>An operation that needs an existing entry (a write through a view) found none.</summary>
public sealed class EntryNotFoundException(string message, string? path)
    : StoreException(message, path);
