namespace Store.Core.Arrays;

/// <summary>
/// Random-access reads over the C-order bytes of an array, wherever they live (memory, a chunked
/// buffer, a memory-mapped file, or the two halves of an entry).
/// </summary>
internal interface IByteSource
{
    /// <summary>Copies <c>destination.Length</c> bytes starting at <paramref name="offset"/>.</summary>
    void Read(long offset, Span<byte> destination);
}
