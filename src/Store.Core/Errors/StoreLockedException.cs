namespace Store.Core;

/// <summary>
/// Another store holds the root open for writing (one writer per root). The message names the root
/// and the holder: its process id, host and since when. Open the root read-only (mode <c>r</c>) to
/// read what was flushed, or close the other store first.
/// </summary>
public sealed class StoreLockedException(string message, string root, Exception? inner = null)
    : StoreException(message, root, inner);
