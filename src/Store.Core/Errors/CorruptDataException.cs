namespace Store.Core;

/// <summary>
/// A file on disk that cannot be read as its format says: bad magic, a header that lies about
/// the size, a truncated body, an unsupported dtype or layout. The message names the file and
/// what was expected versus found.
/// </summary>
public sealed class CorruptDataException(string message, string? path, Exception? inner = null)
    : StoreException(message, path, inner);
