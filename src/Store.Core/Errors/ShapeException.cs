namespace Store.Core;

/// <summary>
/// Data whose shape or dtype does not fit: an append with other trailing dimensions or dtype, a
/// view out of bounds or whose data has another shape, or a shape too large to address.
/// </summary>
public sealed class ShapeException(string message, string? path = null)
    : StoreException(message, path);
