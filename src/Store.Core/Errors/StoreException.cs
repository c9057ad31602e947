namespace Store.Core;

/// <summary>
/// The base of every error the store raises on bad input, a forbidden operation or a corrupt
/// file. The store that raised it keeps serving and has kept everything it accepted before.
/// </summary>
public class StoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="path">The entry path or file concerned, when there is one.</param>
    /// <param name="inner">The underlying error, when there is one.</param>
    public StoreException(string message, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        EntryPath = path;
    }

    /// <summary>The entry path or file the error is about, or null for store-wide errors.</summary>
    public string? EntryPath { get; }
}
