namespace Store.Core.Formats.Text;

/// <summary>
/// The rows of one window of a CSV or JSON lines file as cells: where each value's UTF-8 text lies
/// (in the window itself, or, for a value that had to be unescaped, in a buffer of the block's own),
/// or null. No string is made per cell: columns are typed from these bytes only when a reader asks
/// for them (<see cref="TextCells.Parse"/>), so a query types just the columns it reads.
/// </summary>
internal sealed class TextBlock
{
    private readonly byte[] _window;
    private Cell[] _cells;
    private int _stride;
    private int _capacityRows;
    private byte[] _unescaped = [];
    private int _unescapedLength;
    private int _rowStart;

    /// <summary>An empty block over <paramref name="window"/> for rows of <paramref name="columns"/> cells.</summary>
    /// <param name="window">The bytes the cells point into.</param>
    /// <param name="columns">Cells per row.</param>
    /// <param name="firstRow">The rows of the file before this block, for messages.</param>
    /// <param name="expectedRows">Rows to make room for at first (more are made room for when needed).</param>
    public TextBlock(byte[] window, int columns, long firstRow, int expectedRows)
    {
        _window = window;
        Columns = columns;
        FirstRow = firstRow;
        _stride = Math.Max(1, columns);
        _capacityRows = Math.Max(1, expectedRows);
        _cells = GC.AllocateUninitializedArray<Cell>(_stride * _capacityRows);
    }

    /// <summary>Cells per row.</summary>
    public int Columns { get; private set; }

    /// <summary>Complete rows.</summary>
    public int Rows { get; private set; }

    /// <summary>The rows of the file before this block (the first row of the block is row <c>FirstRow + 1</c>).</summary>
    public long FirstRow { get; }

    /// <summary>Starts a row whose cells are all null until set.</summary>
    public void BeginRow()
    {
        if (Rows == _capacityRows)
        {
            Resize(_stride, _capacityRows * 2);
        }

        _cells.AsSpan(Rows * _stride, _stride).Clear();
        _rowStart = _unescapedLength;
    }

    /// <summary>Sets a cell of the current row to bytes <c>[start, start + length)</c> of the window.</summary>
    public void Set(int column, int start, int length) => _cells[(Rows * _stride) + column] = new Cell(start, length, CellKind.Window);

    /// <summary>Room for at most <paramref name="maxLength"/> bytes of an unescaped value, to be written and then kept with <see cref="SetUnescaped"/>.</summary>
    public Span<byte> Reserve(int maxLength)
    {
        if (_unescapedLength + maxLength > _unescaped.Length)
        {
            System.Array.Resize(ref _unescaped, Math.Max(_unescapedLength + maxLength, Math.Max(4096, _unescaped.Length * 2)));
        }

        return _unescaped.AsSpan(_unescapedLength, maxLength);
    }

    /// <summary>Sets a cell of the current row to the first <paramref name="length"/> bytes written into the last <see cref="Reserve"/>.</summary>
    public void SetUnescaped(int column, int length)
    {
        _cells[(Rows * _stride) + column] = new Cell(_unescapedLength, length, CellKind.Unescaped);
        _unescapedLength += length;
    }

    /// <summary>Completes the current row.</summary>
    public void EndRow() => Rows++;

    /// <summary>Drops the current row (a record the window cuts off, which the next window parses again).</summary>
    public void CancelRow() => _unescapedLength = _rowStart;

    /// <summary>Gives every row, the current one too, <paramref name="columns"/> cells (the new ones null): a column found after rows were read.</summary>
    public void Widen(int columns)
    {
        if (columns > _stride)
        {
            Resize(Math.Max(columns, _stride * 2), _capacityRows);
        }

        Columns = columns;
    }

    /// <summary>Whether the cell is null.</summary>
    public bool IsNull(int row, int column) => _cells[(row * _stride) + column].Kind == CellKind.Null;

    /// <summary>The UTF-8 text of a cell that is not null.</summary>
    public ReadOnlySpan<byte> Text(int row, int column)
    {
        var cell = _cells[(row * _stride) + column];
        return (cell.Kind == CellKind.Unescaped ? _unescaped : _window).AsSpan(cell.Start, cell.Length);
    }

    // New room; the rows so far and the current one keep their cells, and cells beyond a row's columns stay null.
    private void Resize(int stride, int capacityRows)
    {
        var cells = GC.AllocateUninitializedArray<Cell>(stride * capacityRows);
        for (var row = 0; row < Math.Min(Rows + 1, _capacityRows); row++)
        {
            _cells.AsSpan(row * _stride, _stride).CopyTo(cells.AsSpan(row * stride));
            cells.AsSpan((row * stride) + _stride, stride - _stride).Clear();
        }

        (_cells, _stride, _capacityRows) = (cells, stride, capacityRows);
    }

    // Where a cell's text is; null is the default, so clearing cells makes them null.
    private enum CellKind : byte
    {
        Null,
        Window,
        Unescaped,
    }

    private readonly record struct Cell(int Start, int Length, CellKind Kind);
}
