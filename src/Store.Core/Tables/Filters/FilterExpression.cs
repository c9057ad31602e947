namespace Store.Core.Tables.Filters;

/// <summary>
/// A parsed query filter: comparisons of a column with a literal, <c>in</c> lists, and
/// <c>and</c> / <c>or</c> / <c>not</c>. Built by <see cref="FilterParser"/>, never compiled or run as code.
/// </summary>
public abstract record FilterExpression
{
    private FilterExpression()
    {
    }

    /// <summary><c>column op literal</c>, op one of <c>== != &lt; &lt;= &gt; &gt;=</c>.</summary>
    public sealed record Comparison(string Column, string Operator, FilterLiteral Value, int Position) : FilterExpression;

    /// <summary><c>column in (a, b, …)</c>.</summary>
    public sealed record In(string Column, IReadOnlyList<FilterLiteral> Values, int Position) : FilterExpression;

    /// <summary>Both sides hold.</summary>
    public sealed record And(FilterExpression Left, FilterExpression Right) : FilterExpression;

    /// <summary>Either side holds.</summary>
    public sealed record Or(FilterExpression Left, FilterExpression Right) : FilterExpression;

    /// <summary>The inner expression does not hold.</summary>
    public sealed record Not(FilterExpression Inner) : FilterExpression;
}
