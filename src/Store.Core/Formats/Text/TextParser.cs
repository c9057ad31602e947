namespace Store.Core.Formats.Text;

/// <summary>
/// Reads one format's records from a file's windows (<see cref="TextSource"/>) into blocks of
/// cells, keeping between windows what the format needs (CSV: the header; JSON lines: the keys seen)
/// and the line count its messages name. One parser reads one file once, front to back.
/// </summary>
/// <param name="file">The entry's file, which errors name.</param>
/// <param name="declared">The column names, in order, when they are known (from the sidecar, or inferred by an earlier pass); null to find them in the file.</param>
/// <param name="record">The sidecar that declares them, or null.</param>
internal abstract class TextParser(string file, IReadOnlyList<string>? declared, TextSidecar? record)
{
    private int _expectedRows = 1024;

    /// <summary>The entry's file, which errors name.</summary>
    protected string File => file;

    /// <summary>The column names the caller declared, or null when the parser finds them.</summary>
    protected IReadOnlyList<string>? Declared => declared;

    /// <summary>The column names: the declared ones, or those found so far.</summary>
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>The rows parsed so far.</summary>
    public long Rows { get; protected set; }

    /// <summary>
    /// Parses the complete records at the start of <c>window[..length]</c> into a new block (the
    /// rest, a record the window cuts off, is left for the next window).
    /// </summary>
    /// <param name="window">The window's bytes.</param>
    /// <param name="length">How many of them are complete lines.</param>
    /// <param name="final">Whether they end the file, so the last record may lack its newline.</param>
    /// <param name="consumed">The bytes the block's records take.</param>
    /// <exception cref="CorruptDataException">A record the format cannot read, naming the file and its line.</exception>
    public TextBlock Parse(byte[] window, int length, bool final, out int consumed)
    {
        var block = new TextBlock(window, Names.Count, Rows, _expectedRows);
        consumed = Fill(block, window.AsSpan(0, length), final);
        _expectedRows = Math.Max(_expectedRows, block.Rows + (block.Rows / 8)); // windows are alike: make room at once
        return block;
    }

    /// <summary>Adds the complete records at the start of <paramref name="bytes"/> to <paramref name="block"/> (the file's rows so far come before them); returns the bytes they take.</summary>
    /// <exception cref="CorruptDataException">A record the format cannot read, naming the file and its line.</exception>
    protected abstract int Fill(TextBlock block, ReadOnlySpan<byte> bytes, bool final);

    /// <summary>Checks, once every window is parsed, what only the whole file can show.</summary>
    /// <exception cref="CorruptDataException">The file lacks what the format needs (CSV: a header line).</exception>
    public virtual void End()
    {
    }

    /// <summary>The sidecar that declares the names, or null when an earlier pass inferred them (then a mismatch means the file changed in between).</summary>
    protected TextSidecar? Record => record;
}
