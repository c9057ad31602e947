using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace Store.Core.Formats.Text;

/// <summary>
/// The committed bytes of a CSV or JSON lines file, read front to back in windows of about
/// <c>windowBytes</c> (a window grows only to hold a record longer than it), so a scan never holds
/// more of the file than one window. Each window starts with what the parser left of the one before
/// (a record cut by the window's end) and hands out only complete lines, checked to be UTF-8: text
/// in another encoding (Latin-1, Windows-1252, UTF-16) is refused rather than read with U+FFFD in
/// place of its characters, which a rewrite would then make permanent. Bytes past the committed
/// length (an append a crash cut short) are never read.
/// </summary>
internal sealed class TextSource : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _file;
    private readonly long _end;
    private readonly int _windowBytes;
    private readonly byte[] _head;
    private long _position;
    private long _windowOffset;
    private int _filled;
    private long _lines;

    private TextSource(SafeFileHandle handle, string file, long start, long end, int windowBytes, byte[] head)
    {
        _handle = handle;
        _file = file;
        _position = _windowOffset = start;
        _end = end;
        _windowBytes = windowBytes;
        _head = head;
    }

    /// <summary>The current window; its first <see cref="Length"/> bytes are for the parser.</summary>
    public byte[] Bytes { get; private set; } = [];

    /// <summary>How many bytes of <see cref="Bytes"/> are complete lines checked to be UTF-8 (all of them in the last window).</summary>
    public int Length { get; private set; }

    /// <summary>Whether the window reaches the committed end, so its last line may lack a newline.</summary>
    public bool Final { get; private set; }

    /// <summary>
    /// Opens <paramref name="data"/> (the entry's file, or the committed write still to be renamed over
    /// it) up to what <paramref name="record"/> commits: its length; for an older record, up to the last
    /// newline; without a record, the whole file. A leading UTF-8 byte order mark is skipped.
    /// </summary>
    /// <param name="file">The entry's file, which errors name.</param>
    /// <param name="data">The file to read.</param>
    /// <param name="record">The sidecar, or null for a file another tool wrote.</param>
    /// <param name="windowBytes">The window size.</param>
    /// <exception cref="CorruptDataException">The file is shorter than its committed length.</exception>
    public static TextSource Open(string file, string data, TextSidecar? record, int windowBytes)
    {
        var handle = File.OpenHandle(data, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            var end = RandomAccess.GetLength(handle);
            if (record?.Length is { } committed)
            {
                if (end < committed)
                {
                    throw Shorter(data, end, committed);
                }

                end = committed;
            }
            else if (record is not null)
            {
                end = CompleteLinesLength(handle, end); // an older record: a last line without its newline is not committed
            }

            var head = new byte[Math.Min(3, end)];
            RandomAccess.Read(handle, head, 0);
            var start = head.AsSpan().SequenceEqual("\uFEFF"u8) ? 3 : 0;
            return new TextSource(handle, file, start, end, windowBytes, head);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The error for a data file cut shorter than its committed length by something other than the store.</summary>
    public static CorruptDataException Shorter(string file, long length, long committed) => new(
        $"{file}: holds {length} bytes but {TextSidecar.FileOf(file)} records {committed} committed bytes; the file was cut short by something other than the store.",
        file);

    /// <summary>
    /// Moves to the next window, which starts with the bytes of this one from <paramref name="consumed"/>
    /// on; false after the final window. Every window is a new array, so a block parsed from the
    /// previous one stays valid.
    /// </summary>
    /// <exception cref="CorruptDataException">Bytes that are no UTF-8 sequence (naming the file, the byte offset, the line and the bytes), or a file cut short while it is read.</exception>
    public bool Next(int consumed)
    {
        if (Final)
        {
            return false;
        }

        var carried = _filled - consumed;
        var window = GC.AllocateUninitializedArray<byte>(Math.Max(_windowBytes, carried * 2));
        Bytes.AsSpan(consumed, carried).CopyTo(window);
        var checkedBytes = Length - consumed;
        _windowOffset += consumed;
        Bytes = window;
        _filled = carried;
        while (_filled < window.Length && _position < _end)
        {
            var read = RandomAccess.Read(_handle, window.AsSpan(_filled, (int)Math.Min(window.Length - _filled, _end - _position)), _position);
            if (read == 0)
            {
                throw Shorter(_file, _position, _end);
            }

            _filled += read;
            _position += read;
        }

        Final = _position == _end;
        Length = Final ? _filled : window.AsSpan(0, _filled).LastIndexOf((byte)'\n') + 1;
        CheckUtf8(checkedBytes, Length);
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    // Windows end after a newline (or at the end), which no UTF-8 sequence spans: checking window by
    // window finds the first bad byte where checking the whole file would.
    private void CheckUtf8(int from, int to)
    {
        var bytes = Bytes.AsSpan(from, to - from);
        if (Utf8.IsValid(bytes))
        {
            _lines += bytes.Count((byte)'\n');
            return;
        }

        Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
        var offset = _windowOffset + from + read;
        var line = _lines + bytes[..read].Count((byte)'\n') + 1;
        var found = new byte[Math.Min(4, _end - offset)];
        RandomAccess.Read(_handle, found, offset);
        var hint = _head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || _head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            ? "it starts with a UTF-16 byte order mark"
            : "it may be Latin-1 or Windows-1252";
        throw new CorruptDataException(
            $"{_file}: not UTF-8: byte offset {offset} (line {line}) holds 0x{Convert.ToHexString(found)}, which is no UTF-8 sequence ({hint}); " +
            "CSV and JSON lines files are read as UTF-8, so convert it first (for example: iconv -f latin1 -t utf-8).",
            _file);
    }

    /// <summary>The length of the first <paramref name="length"/> bytes up to and including their last newline, read backwards from there.</summary>
    public static long CompleteLinesLength(SafeFileHandle handle, long length)
    {
        var buffer = new byte[64 * 1024];
        while (length > 0)
        {
            var size = (int)Math.Min(buffer.Length, length);
            RandomAccess.Read(handle, buffer.AsSpan(0, size), length - size);
            var last = buffer.AsSpan(0, size).LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                return length - size + last + 1;
            }

            length -= size;
        }

        return 0;
    }
}
