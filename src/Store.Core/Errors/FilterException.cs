namespace Store.Core;

/// <summary>A query filter that does not parse (the message names the position) or does not fit the table's columns.</summary>
public sealed class FilterException(string message, string? path = null, int? position = null)
    : StoreException(message, path)
{
    /// <summary>The character position in the filter text where the problem is, when known.</summary>
    public int? Position { get; } = position;
}
