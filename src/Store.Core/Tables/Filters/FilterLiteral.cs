namespace Store.Core.Tables.Filters;

/// <summary>A literal in a filter: a number, a string, true/false, or null.</summary>
/// <param name="Number">The value when it is a number.</param>
/// <param name="Text">The value when it is a string.</param>
/// <param name="Bool">The value when it is true or false.</param>
/// <param name="Position">Where it starts in the filter text.</param>
public sealed record FilterLiteral(double? Number, string? Text, bool? Bool, int Position)
{
    /// <summary>Whether the literal is <c>null</c>.</summary>
    public bool IsNull => Number is null && Text is null && Bool is null;

    /// <summary>The literal as written back, for messages.</summary>
    public override string ToString() =>
        Number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? (Text is not null ? $"'{Text}'" : Bool?.ToString().ToLowerInvariant() ?? "null");
}
