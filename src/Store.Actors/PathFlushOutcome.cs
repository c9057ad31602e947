namespace Store.Actors;

/// <summary>How the flush of one path ended.</summary>
/// <param name="Path">The entry path.</param>
/// <param name="Error">Why it did not flush, or null when it did.</param>
public sealed record PathFlushOutcome(string Path, Exception? Error);
