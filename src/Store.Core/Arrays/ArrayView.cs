using System.Collections.Immutable;
using System.Globalization;

namespace Store.Core.Arrays;

/// <summary>
/// A NumPy-like selection over an array: one <see cref="AxisSelector"/> per leading axis (axes not
/// named are taken whole). Build it positionally (<see cref="Of"/>), with the seed's axis-keyed
/// form <c>{axis: slice}</c> (<see cref="ByAxis"/>), or from numpy text (<see cref="Parse"/>).
/// </summary>
public sealed class ArrayView
{
    // ByAxis refuses axis numbers from here on; no array has that many axes.
    private const int MaxAxes = 65_536;

    private ArrayView(ImmutableArray<AxisSelector> axes)
    {
        Axes = axes;
    }

    /// <summary>The selector of each leading axis; later axes are whole.</summary>
    public ImmutableArray<AxisSelector> Axes { get; }

    /// <summary>A view from selectors for axes 0, 1, ….</summary>
    public static ArrayView Of(params AxisSelector[] axes) => new([.. axes]);

    /// <summary>Rows <c>[start, stop)</c> of axis 0, every other axis whole.</summary>
    public static ArrayView Rows(long start, long stop) => Of(AxisSelector.Range(start, stop));

    /// <summary>The seed's axis-keyed form: selectors keyed by axis number; other axes whole.</summary>
    /// <exception cref="ShapeException">
    /// A negative axis number, or one of 65,536 or more (the view holds a selector for every axis up
    /// to the highest, so an absurd number would allocate gigabytes before any array refused it).
    /// </exception>
    public static ArrayView ByAxis(IReadOnlyDictionary<int, AxisSelector> axes)
    {
        if (axes.Count == 0)
        {
            return Of();
        }

        if (axes.Keys.Min() < 0)
        {
            throw new ShapeException($"View axis {axes.Keys.Min()} is negative; axes are numbered from 0.");
        }

        if (axes.Keys.Max() >= MaxAxes)
        {
            throw new ShapeException($"View axis {axes.Keys.Max()} is beyond any array; expected at most {MaxAxes - 1}.");
        }

        var selectors = new AxisSelector[axes.Keys.Max() + 1];
        for (var axis = 0; axis < selectors.Length; axis++)
        {
            selectors[axis] = axes.TryGetValue(axis, out var selector) ? selector : AxisSelector.All;
        }

        return new ArrayView([.. selectors]);
    }

    /// <summary>
    /// Parses numpy index text: comma-separated <c>i</c>, <c>start:stop:step</c> (parts optional)
    /// or <c>[i, j, …]</c>, for example <c>"2, 1:10:3, [0, 4]"</c>.
    /// </summary>
    /// <exception cref="ShapeException">Text that is not such an index; the message names the position.</exception>
    public static ArrayView Parse(string text)
    {
        var selectors = new List<AxisSelector>();
        var position = 0;
        while (true)
        {
            SkipSpaces(text, ref position);
            if (position == text.Length)
            {
                if (selectors.Count > 0)
                {
                    throw ParseError(text, position, "a selector after ','");
                }

                break;
            }

            selectors.Add(ParseSelector(text, ref position));
            SkipSpaces(text, ref position);
            if (position == text.Length)
            {
                break;
            }

            if (text[position] != ',')
            {
                throw ParseError(text, position, "','");
            }

            position++;
        }

        return new ArrayView([.. selectors]);
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", Axes);

    private static AxisSelector ParseSelector(string text, ref int position)
    {
        if (text[position] == '[')
        {
            position++;
            var values = new List<long>();
            SkipSpaces(text, ref position);
            while (position < text.Length && text[position] != ']')
            {
                values.Add(ParseInteger(text, ref position) ?? throw ParseError(text, position, "an integer"));
                SkipSpaces(text, ref position);
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    SkipSpaces(text, ref position);
                }
            }

            if (position == text.Length)
            {
                throw ParseError(text, position, "']'");
            }

            position++;
            return new AxisSelector.IndexList([.. values]);
        }

        var parts = new List<long?> { ParseInteger(text, ref position) };
        while (position < text.Length && text[position] == ':' && parts.Count < 3)
        {
            position++;
            parts.Add(ParseInteger(text, ref position));
        }

        if (parts.Count == 1)
        {
            return parts[0] is { } index ? new AxisSelector.Index(index) : throw ParseError(text, position, "an index, slice or list");
        }

        var step = parts.Count == 3 ? parts[2] ?? 1 : 1;
        return new AxisSelector.Slice(parts[0], parts[1], step);
    }

    private static long? ParseInteger(string text, ref int position)
    {
        SkipSpaces(text, ref position);
        var start = position;
        if (position < text.Length && text[position] is '-' or '+')
        {
            position++;
        }

        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        if (position == start)
        {
            return null;
        }

        var token = text[start..position];
        SkipSpaces(text, ref position);
        return long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ParseError(text, start, "an integer");
    }

    private static void SkipSpaces(string text, ref int position)
    {
        while (position < text.Length && text[position] == ' ')
        {
            position++;
        }
    }

    private static ShapeException ParseError(string text, int position, string expected) =>
        new($"View '{text}' at position {position}: expected {expected}, found " +
            (position < text.Length ? $"'{text[position]}'" : "the end") + ".");
}
