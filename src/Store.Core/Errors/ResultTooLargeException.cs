namespace Store.Core;

/// <summary>
/// A read or query whose result would pass the store's <c>MaxResultBytes</c>: refused before the
/// store reads past the limit, so a query over a table larger than memory fails with this rather
/// than exhausting memory. The message names the table, the limit and how to narrow the read.
/// </summary>
public sealed class ResultTooLargeException(string message, string? path)
    : StoreException(message, path);
