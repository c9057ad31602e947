using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace Store.Core.Tables.Filters;

/// <summary>
/// Evaluates a <see cref="FilterExpression"/> over a table, column by column, into one flag per
/// row. A comparison involving a null value is false (<c>== null</c> and <c>!= null</c> test for
/// nulls); <c>not</c> inverts. Numbers compare as 64-bit integers when both sides are whole,
/// otherwise as doubles; strings compare by code point (their UTF-8 bytes); bools support only <c>==</c> and <c>!=</c>;
/// timestamps compare exactly (to the nanosecond, in any unit) with ISO-8601 strings.
/// </summary>
internal static class FilterEvaluator
{
    /// <summary>Which rows of <paramref name="table"/> satisfy <paramref name="filter"/>.</summary>
    /// <param name="filter">The parsed filter.</param>
    /// <param name="table">The rows to test.</param>
    /// <param name="path">The table's path, for errors.</param>
    /// <param name="text">The filter as the caller wrote it, quoted in errors (positions refer to it).</param>
    /// <exception cref="FilterException">An unknown column, or a literal that does not fit the column's type.</exception>
    public static bool[] Evaluate(FilterExpression filter, Table table, string? path, string? text = null)
    {
        var scope = new Scope(table, path, text);
        var mask = new bool[checked((int)table.RowCount)];

        // Unknown columns and type errors first, on no rows, so they are reported in the filter's own
        // order whatever order the evaluation below picks (see EvaluateChain).
        Evaluate(filter, scope, null, []);
        var offset = 0;
        foreach (var batch in table.Batches)
        {
            Evaluate(filter, scope, batch, mask.AsSpan(offset, batch.Length));
            offset += batch.Length;
        }

        return mask;
    }

    // Recursion is bounded by how often and, or and not alternate (the parser allows at most
    // FilterParser.MaxDepth levels): a chain of one operator and a run of nots take no stack per term.
    // candidates: when given, only rows flagged there can matter (the rest of an 'and' chain is false
    // for the others), so a costly comparison may skip the rest and leave them false.
    private static void Evaluate(FilterExpression filter, Scope scope, RecordBatch? batch, Span<bool> mask, ReadOnlySpan<bool> candidates = default)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new FilterException($"Filter nests too deeply to evaluate; expected at most {FilterParser.MaxDepth} levels of parentheses and 'not'.", scope.Path);
        }

        var negate = false;
        while (filter is FilterExpression.Not not)
        {
            negate = !negate;
            filter = not.Inner;
        }

        switch (filter)
        {
            case FilterExpression.And or FilterExpression.Or:
                EvaluateChain(filter, scope, batch, mask);
                break;
            case FilterExpression.Comparison comparison:
                Compare(comparison, Column(scope, batch, comparison.Column, comparison.Position), mask, scope, negate ? default : candidates);
                break;
            case FilterExpression.In list:
                mask.Clear();
                var column = Column(scope, batch, list.Column, list.Position);
                var one = new bool[mask.Length];
                foreach (var value in list.Values)
                {
                    Compare(new FilterExpression.Comparison(list.Column, "==", value, list.Position), column, one, scope);
                    for (var i = 0; i < mask.Length; i++)
                    {
                        mask[i] |= one[i];
                    }
                }

                break;
        }

        if (negate)
        {
            for (var i = 0; i < mask.Length; i++)
            {
                mask[i] = !mask[i];
            }
        }
    }

    // a and b and c …: every operand of the chain combined into the mask; stops early once no row
    // can change (and: none left; or: all kept). Over rows, an 'and' chain tests fixed-width columns
    // before strings and the rest, and a later string comparison only the rows still in (the result
    // is the same in any order; errors were found beforehand, in the filter's order).
    private static void EvaluateChain(FilterExpression chain, Scope scope, RecordBatch? batch, Span<bool> mask)
    {
        var isAnd = chain is FilterExpression.And;
        var operands = Operands(chain, isAnd);
        if (isAnd && batch is not null)
        {
            operands = [.. operands.OrderBy(operand => Cost(operand, batch))];
        }

        Evaluate(operands[0], scope, batch, mask);
        bool[]? other = null;
        for (var k = 1; k < operands.Count; k++)
        {
            if (batch is not null && !mask.Contains(isAnd))
            {
                break;
            }

            other ??= new bool[mask.Length];
            Evaluate(operands[k], scope, batch, other, isAnd ? mask : default);
            for (var i = 0; i < mask.Length; i++)
            {
                mask[i] = isAnd ? mask[i] & other[i] : mask[i] | other[i];
            }
        }
    }

    // How costly an operand is to test per row: a comparison on a fixed-width column, on a string column, anything else.
    private static int Cost(FilterExpression operand, RecordBatch batch) =>
        operand is FilterExpression.Comparison comparison && batch.Schema.IndexOfColumn(comparison.Column) is var c and >= 0
            ? batch.Schema.GetFieldByIndex(c).DataType switch
            {
                Apache.Arrow.Types.FixedWidthType and not Apache.Arrow.Types.BooleanType => 0,
                Apache.Arrow.Types.StringType => 1,
                _ => 2,
            }
            : 2;

    // The operands of a run of one operator, in order, whatever the shape of its tree (the parser
    // builds left-leaning chains; parentheses can lean the other way), without recursion.
    private static List<FilterExpression> Operands(FilterExpression chain, bool isAnd)
    {
        var operands = new List<FilterExpression>();
        var pending = new Stack<FilterExpression>();
        pending.Push(chain);
        while (pending.TryPop(out var node))
        {
            switch (node)
            {
                case FilterExpression.And both when isAnd:
                    pending.Push(both.Right);
                    pending.Push(both.Left);
                    break;
                case FilterExpression.Or either when !isAnd:
                    pending.Push(either.Right);
                    pending.Push(either.Left);
                    break;
                default:
                    operands.Add(node);
                    break;
            }
        }

        return operands;
    }

    private static IArrowArray Column(Scope scope, RecordBatch? batch, string name, int position)
    {
        var schema = scope.Table.Schema;
        var index = schema.IndexOfColumn(name);
        if (index < 0)
        {
            throw new FilterException(
                $"{scope.At(position)}: no column '{name}'{NearestName.Hint(name, schema.FieldsList.Select(f => f.Name))}; the table has ({Table.Describe(schema)}).",
                scope.Path,
                position);
        }

        return batch?.Column(index) ?? ArrowColumns.EmptyOf(schema.GetFieldByIndex(index).DataType);
    }

    private static void Compare(FilterExpression.Comparison comparison, IArrowArray column, Span<bool> mask, Scope scope, ReadOnlySpan<bool> candidates = default)
    {
        var literal = comparison.Value;
        if (literal.IsNull)
        {
            if (comparison.Operator is not ("==" or "!="))
            {
                throw Mismatch(comparison, column, scope, "only == null and != null test for nulls");
            }

            var wantNull = comparison.Operator == "==";
            for (var i = 0; i < mask.Length; i++)
            {
                mask[i] = column.IsNull(i) == wantNull;
            }

            return;
        }

        var op = comparison.Operator switch
        {
            "==" => Op.Equal,
            "!=" => Op.NotEqual,
            "<" => Op.Less,
            "<=" => Op.LessOrEqual,
            ">" => Op.Greater,
            _ => Op.GreaterOrEqual,
        };
        switch (column)
        {
            case StringArray strings when literal.Text is { } text:
                // Compared as UTF-8 bytes (code point order), without decoding a string per row.
                ReadOnlySpan<byte> utf8 = System.Text.Encoding.UTF8.GetBytes(text);
                var offsets = strings.ValueOffsets;
                var bytes = strings.Values;
                for (var i = 0; i < mask.Length; i++)
                {
                    mask[i] = (candidates.IsEmpty || candidates[i]) && Holds(op, bytes[offsets[i]..offsets[i + 1]].SequenceCompareTo(utf8));
                }

                ClearNulls(strings, mask);
                break;
            case BooleanArray bools when literal.Bool is { } flag && comparison.Operator is "==" or "!=":
                for (var i = 0; i < mask.Length; i++)
                {
                    mask[i] = bools.IsValid(i) && (bools.GetValue(i) == flag) == (comparison.Operator == "==");
                }

                break;
            case TimestampArray times when literal.Text is { } iso && Timestamps.TryParse(iso, out _) is { } moment:
                // Compared exactly, as nanoseconds since 1970, whatever the column's unit; a literal
                // without an offset is read as the column's own clock (UTC for a zoned column).
                var unit = ((Apache.Arrow.Types.TimestampType)times.Data.DataType).Unit;
                var target = (moment.Seconds * Timestamps.NanosPerSecond) + moment.Nanos;
                var stamps = times.Values;
                for (var i = 0; i < mask.Length; i++)
                {
                    mask[i] = times.IsValid(i) && Holds(op, Timestamps.ToNanos(stamps[i], unit).CompareTo(target));
                }

                break;
            case Date32Array or Date64Array when literal.Text is { } day
                && DateOnly.TryParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date):
                for (var i = 0; i < mask.Length; i++)
                {
                    var value = column is Date32Array d32 ? d32.GetDateOnly(i) : ((Date64Array)column).GetDateOnly(i);
                    mask[i] = value is { } v && Holds(op, v.CompareTo(date));
                }

                break;
            case Time32Array or Time64Array when literal.Text is { } clock
                && TimeOnly.TryParse(clock, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time):
                for (var i = 0; i < mask.Length; i++)
                {
                    var value = column is Time32Array t32 ? t32.GetTime(i) : ((Time64Array)column).GetTime(i);
                    mask[i] = value is { } v && Holds(op, v.CompareTo(time));
                }

                break;
            case Int64Array longs when literal.Number is { } whole && whole == Math.Floor(whole) && Math.Abs(whole) < 9e18:
                CompareWhole(longs.Values, longs, (long)whole, op, mask);
                break;
            case Int8Array or Int16Array or Int32Array or Int64Array or UInt8Array or UInt16Array or UInt32Array or UInt64Array or FloatArray or DoubleArray
                when literal.Number is { } number:
                CompareNumbers(column, number, op, mask);
                break;
            default:
                throw Mismatch(comparison, column, scope, null);
        }
    }

    private static void CompareWhole(ReadOnlySpan<long> values, IArrowArray column, long literal, Op op, Span<bool> mask)
    {
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = Holds(op, values[i].CompareTo(literal));
        }

        ClearNulls(column, mask);
    }

    private static void CompareNumbers(IArrowArray column, double literal, Op op, Span<bool> mask)
    {
        switch (column)
        {
            case DoubleArray a: Loop(a.Values, literal, op, mask); break;
            case FloatArray a: Loop(a.Values, literal, op, mask); break;
            case Int8Array a: Loop(a.Values, literal, op, mask); break;
            case Int16Array a: Loop(a.Values, literal, op, mask); break;
            case Int32Array a: Loop(a.Values, literal, op, mask); break;
            case Int64Array a: Loop(a.Values, literal, op, mask); break;
            case UInt8Array a: Loop(a.Values, literal, op, mask); break;
            case UInt16Array a: Loop(a.Values, literal, op, mask); break;
            case UInt32Array a: Loop(a.Values, literal, op, mask); break;
            case UInt64Array a: Loop(a.Values, literal, op, mask); break;
        }

        ClearNulls(column, mask);
    }

    // One loop per operator, so the comparison is not chosen again per row. CompareTo orders NaN
    // below every number, as the other comparisons here do.
    private static void Loop<T>(ReadOnlySpan<T> values, double literal, Op op, Span<bool> mask) where T : struct, System.Numerics.INumberBase<T>
    {
        values = values[..mask.Length];
        switch (op)
        {
            case Op.Equal:
                for (var i = 0; i < values.Length; i++)
                {
                    mask[i] = double.CreateTruncating(values[i]).CompareTo(literal) == 0;
                }

                break;
            case Op.NotEqual:
                for (var i = 0; i < values.Length; i++)
                {
                    mask[i] = double.CreateTruncating(values[i]).CompareTo(literal) != 0;
                }

                break;
            case Op.Less:
                for (var i = 0; i < values.Length; i++)
                {
                    mask[i] = double.CreateTruncating(values[i]).CompareTo(literal) < 0;
                }

                break;
            case Op.LessOrEqual:
                for (var i = 0; i < values.Length; i++)
                {
                    mask[i] = double.CreateTruncating(values[i]).CompareTo(literal) <= 0;
                }

                break;
            case Op.Greater:
                for (var i = 0; i < values.Length; i++)
                {
                    mask[i] = double.CreateTruncating(values[i]).CompareTo(literal) > 0;
                }

                break;
            default:
                for (var i = 0; i < values.Length; i++)
                {
                    mask[i] = double.CreateTruncating(values[i]).CompareTo(literal) >= 0;
                }

                break;
        }
    }

    private static void ClearNulls(IArrowArray column, Span<bool> mask)
    {
        if (column.NullCount == 0)
        {
            return;
        }

        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] &= column.IsValid(i);
        }
    }

    private static bool Holds(Op op, int order) => op switch
    {
        Op.Equal => order == 0,
        Op.NotEqual => order != 0,
        Op.Less => order < 0,
        Op.LessOrEqual => order <= 0,
        Op.Greater => order > 0,
        _ => order >= 0,
    };

    private enum Op
    {
        Equal,
        NotEqual,
        Less,
        LessOrEqual,
        Greater,
        GreaterOrEqual,
    }

    // The literal is what does not fit the column, so the error points at it.
    private static FilterException Mismatch(FilterExpression.Comparison comparison, IArrowArray column, Scope scope, string? why) =>
        new($"{scope.At(comparison.Value.Position)}: column '{comparison.Column}' is {ArrowColumns.Describe(column.Data.DataType)} and cannot be compared with {comparison.Operator} {comparison.Value}" +
            (why is null ? "." : $": {why}."), scope.Path, comparison.Value.Position);

    // What an evaluation is about, for its errors: the table, its path and the filter text.
    private readonly record struct Scope(Table Table, string? Path, string? Text)
    {
        // "Filter '<text>' at position n", as the parser's errors begin; without the text, the position alone.
        public string At(int position) =>
            Text is null ? $"Filter at position {position}" : $"Filter '{FilterParser.Quote(Text, position)}' at position {position}";
    }
}
