using System.Globalization;

namespace Store.Core.Tables.Filters;

/// <summary>
/// Parses the filter language: <c>column == 1</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>,
/// <c>&gt;=</c> against numbers, 'strings' or "strings", true, false and null; <c>column in (1, 2)</c>
/// and <c>not in</c>; <c>and</c> binds tighter than <c>or</c>; <c>not</c> and parentheses. Keywords
/// are case-insensitive; columns are bare names or `back-quoted`. Errors name the position.
/// A filter is caller input, so its size is bounded: at most <see cref="MaxLength"/> characters
/// and <see cref="MaxDepth"/> levels of parentheses and <c>not</c>.
/// </summary>
public sealed class FilterParser
{
    /// <summary>
    /// The longest filter accepted, in characters (64 Ki). It bounds the parse time, the number of
    /// terms a query evaluates and the size of the expression tree a caller can make the store build.
    /// </summary>
    public const int MaxLength = 65_536;

    /// <summary>
    /// The deepest nesting accepted: open parentheses plus <c>not</c>s around a term. The parser
    /// and the evaluator recurse once per level, so without a bound a filter could overflow the
    /// stack and end the process; chains of <c>and</c>/<c>or</c> do not nest and are not limited by it.
    /// </summary>
    public const int MaxDepth = 256;

    // Filter texts quoted in messages are cut to about this many characters around the position.
    private const int QuoteLength = 80;

    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "<", ">"];

    private readonly string _text;
    private int _position;
    private int _depth;

    private FilterParser(string text)
    {
        _text = text;
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FilterException">
    /// Text that is not a filter, longer than <see cref="MaxLength"/> or nested deeper than
    /// <see cref="MaxDepth"/>; the message and <see cref="FilterException.Position"/> say where.
    /// </exception>
    public static FilterExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new FilterException($"Filter '{Quote(text, 0)}' is {text.Length} characters long; expected at most {MaxLength}.", position: MaxLength);
        }

        var parser = new FilterParser(text);
        var expression = parser.ParseOr();
        parser.SkipSpaces();
        if (parser._position < text.Length)
        {
            throw parser.Error("'and', 'or' or the end");
        }

        return expression;
    }

    private FilterExpression ParseOr()
    {
        var left = ParseAnd();
        while (TryKeyword("or"))
        {
            left = new FilterExpression.Or(left, ParseAnd());
        }

        return left;
    }

    private FilterExpression ParseAnd()
    {
        var left = ParseUnary();
        while (TryKeyword("and"))
        {
            left = new FilterExpression.And(left, ParseUnary());
        }

        return left;
    }

    private FilterExpression ParseUnary()
    {
        SkipSpaces();
        var start = _position;
        if (TryKeyword("not"))
        {
            Enter(start);
            var negated = new FilterExpression.Not(ParseUnary());
            _depth--;
            return negated;
        }

        if (TryChar('('))
        {
            Enter(start);
            var inner = ParseOr();
            if (!TryChar(')'))
            {
                throw Error("')'");
            }

            _depth--;
            return inner;
        }

        return ParseComparison();
    }

    // One more level of nesting, refused past MaxDepth before the parser recurses into it.
    private void Enter(int start)
    {
        if (++_depth > MaxDepth)
        {
            _position = start;
            throw new FilterException(
                $"Filter '{Quote(_text, _position)}' at position {_position}: parentheses and 'not' nest {_depth} deep here; expected at most {MaxDepth}.",
                position: _position);
        }
    }

    private FilterExpression ParseComparison()
    {
        SkipSpaces();
        var start = _position;
        var column = ParseIdentifier();
        SkipSpaces();
        var negated = TryKeyword("not");
        if (TryKeyword("in"))
        {
            if (!TryChar('('))
            {
                throw Error("'(' after 'in'");
            }

            var values = new List<FilterLiteral> { ParseLiteral() };
            while (TryChar(','))
            {
                values.Add(ParseLiteral());
            }

            if (!TryChar(')'))
            {
                throw Error("',' or ')'");
            }

            FilterExpression list = new FilterExpression.In(column, values, start);
            return negated ? new FilterExpression.Not(list) : list;
        }

        if (negated)
        {
            throw Error("'in' after 'not'");
        }

        SkipSpaces();
        var op = Operators.FirstOrDefault(o => string.CompareOrdinal(_text, _position, o, 0, o.Length) == 0)
            ?? throw Error("a comparison (==, !=, <, <=, >, >=) or 'in'");
        _position += op.Length;
        return new FilterExpression.Comparison(column, op, ParseLiteral(), start);
    }

    private string ParseIdentifier()
    {
        SkipSpaces();
        if (TryChar('`'))
        {
            var end = _text.IndexOf('`', _position);
            if (end < 0)
            {
                throw Error("a closing '`'");
            }

            var quoted = _text[_position..end];
            _position = end + 1;
            return quoted;
        }

        var start = _position;
        while (_position < _text.Length && (char.IsLetterOrDigit(_text[_position]) || _text[_position] == '_'))
        {
            _position++;
        }

        if (_position == start || char.IsDigit(_text[start]))
        {
            _position = start;
            throw Error("a column name");
        }

        var name = _text[start.._position];
        if (name.ToLowerInvariant() is "and" or "or" or "not" or "in" or "true" or "false" or "null")
        {
            _position = start;
            throw Error("a column name");
        }

        return name;
    }

    private FilterLiteral ParseLiteral()
    {
        SkipSpaces();
        var start = _position;
        if (_position < _text.Length && _text[_position] is '\'' or '"')
        {
            var quote = _text[_position++];
            var end = _text.IndexOf(quote, _position);
            if (end < 0)
            {
                _position = start;
                throw Error($"a closing {quote}");
            }

            var text = _text[_position..end];
            _position = end + 1;
            return new FilterLiteral(null, text, null, start);
        }

        if (TryKeyword("true"))
        {
            return new FilterLiteral(null, null, true, start);
        }

        if (TryKeyword("false"))
        {
            return new FilterLiteral(null, null, false, start);
        }

        if (TryKeyword("null"))
        {
            return new FilterLiteral(null, null, null, start);
        }

        while (_position < _text.Length && (char.IsAsciiDigit(_text[_position]) || _text[_position] is '-' or '+' or '.' or 'e' or 'E'))
        {
            _position++;
        }

        if (_position > start && double.TryParse(_text.AsSpan(start, _position - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new FilterLiteral(number, null, null, start);
        }

        _position = start;
        throw Error("a number, a quoted string, true, false or null");
    }

    private bool TryKeyword(string keyword)
    {
        SkipSpaces();
        var end = _position + keyword.Length;
        if (end <= _text.Length
            && string.Compare(_text, _position, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0
            && (end == _text.Length || !(char.IsLetterOrDigit(_text[end]) || _text[end] == '_')))
        {
            _position = end;
            return true;
        }

        return false;
    }

    private bool TryChar(char c)
    {
        SkipSpaces();
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void SkipSpaces()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private FilterException Error(string expected) =>
        new($"Filter '{Quote(_text, _position)}' at position {_position}: expected {expected}, found " +
            (_position < _text.Length ? $"'{_text[_position]}'" : "the end") + ".", position: _position);

    // The filter as quoted in a message: whole when short, else the part around the position, so a
    // huge filter does not make a huge message.
    internal static string Quote(string text, int position)
    {
        if (text.Length <= QuoteLength)
        {
            return text;
        }

        var start = Math.Clamp(position - (QuoteLength / 2), 0, text.Length - QuoteLength);
        return (start > 0 ? "…" : "") + text.Substring(start, QuoteLength) + (start + QuoteLength < text.Length ? "…" : "");
    }
}
