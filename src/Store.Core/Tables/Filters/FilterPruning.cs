using Store.Core.Formats;

namespace Store.Core.Tables.Filters;

/// <summary>
/// Decides from a chunk's column statistics (<see cref="ColumnRange"/>) whether any of its rows can
/// satisfy a filter, so a scan can skip the chunk unread. Conservative: "may match" whenever the
/// statistics are missing or the comparison is not one it understands, so a skip is always safe.
/// Follows <see cref="FilterEvaluator"/>: a comparison with a null value is false (so a chunk whose
/// column is all null matches no comparison with a value); under <c>not</c> nothing is pruned.
/// </summary>
internal static class FilterPruning
{
    // Whole numbers beyond ±2^53 are not exact as doubles: no pruning on them.
    private const double ExactLimit = 9007199254740992d;

    /// <summary>False only when no row of the chunk can satisfy <paramref name="filter"/>.</summary>
    public static bool MayMatch(FilterExpression filter, Func<string, ColumnRange?> range) => filter switch
    {
        FilterExpression.And => Chain(filter).All(term => MayMatch(term, range)),
        FilterExpression.Or => Chain(filter).Any(term => MayMatch(term, range)),
        FilterExpression.Comparison comparison => MayMatch(comparison.Operator, comparison.Value, range(comparison.Column)),
        FilterExpression.In list => list.Values.Any(value => MayMatch("==", value, range(list.Column))),
        _ => true,
    };

    // The terms of a chain of one operator (a and b and c), gathered without recursing per term:
    // the parser nests a long chain as deep as it is long, but alternations at most MaxDepth deep.
    private static List<FilterExpression> Chain(FilterExpression chain)
    {
        var terms = new List<FilterExpression>();
        var todo = new Stack<FilterExpression>([chain]);
        var isAnd = chain is FilterExpression.And;
        while (todo.TryPop(out var next))
        {
            if (isAnd && next is FilterExpression.And both)
            {
                todo.Push(both.Right);
                todo.Push(both.Left);
            }
            else if (!isAnd && next is FilterExpression.Or either)
            {
                todo.Push(either.Right);
                todo.Push(either.Left);
            }
            else
            {
                terms.Add(next);
            }
        }

        return terms;
    }

    private static bool MayMatch(string op, FilterLiteral value, ColumnRange? range)
    {
        if (range is null || value.IsNull)
        {
            return true;
        }

        if (range.NullCount == range.Rows)
        {
            return false; // every value is null, and no comparison with a value holds for null
        }

        int? low, high; // sign of (min - value), (max - value)
        switch (range.Min, range.Max, value)
        {
            case (string min, string max, { Text: { } text }) when Plain(min) && Plain(max) && Plain(text):
                (low, high) = (Math.Sign(string.CompareOrdinal(min, text)), Math.Sign(string.CompareOrdinal(max, text)));
                break;
            case (double or float, _, _) when op == "!=":
                return true; // statistics leave NaN out, and NaN != x holds
            case (var min, var max, { Number: { } number }) when AsDouble(min) is { } lo && AsDouble(max) is { } hi && Math.Abs(number) < ExactLimit:
                (low, high) = (lo.CompareTo(number), hi.CompareTo(number));
                break;
            default:
                return true;
        }

        return op switch
        {
            "==" => low <= 0 && high >= 0,
            "!=" => !(low == 0 && high == 0),
            "<" => low < 0,
            "<=" => low <= 0,
            ">" => high > 0,
            ">=" => high >= 0,
            _ => true,
        };
    }

    // Ordinal order on UTF-16 is the UTF-8 byte order files use, except around surrogates.
    private static bool Plain(string text) => !text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF');

    private static double? AsDouble(object? bound) => bound switch
    {
        long v when Math.Abs(v) < ExactLimit => v,
        int v => v,
        short v => v,
        sbyte v => v,
        byte v => v,
        ushort v => v,
        uint v => v,
        ulong v when v < ExactLimit => v,
        double v when !double.IsNaN(v) => v,
        float v when !float.IsNaN(v) => v,
        _ => null,
    };
}
