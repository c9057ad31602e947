namespace Store.Core.Arrays;

/// <summary>An in-memory byte array seen as a byte source and sink.</summary>
internal sealed class MemoryBytes(Memory<byte> bytes) : IByteSource, IByteSink
{
    /// <inheritdoc />
    public void Read(long offset, Span<byte> destination) =>
        bytes.Span.Slice(checked((int)offset), destination.Length).CopyTo(destination);

    /// <inheritdoc />
    public void Write(long offset, ReadOnlySpan<byte> source) =>
        source.CopyTo(bytes.Span.Slice(checked((int)offset), source.Length));
}
