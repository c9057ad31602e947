namespace Store.Core.Arrays;

/// <summary>Random-access writes over the C-order bytes of an array.</summary>
internal interface IByteSink
{
    /// <summary>Overwrites <c>source.Length</c> bytes starting at <paramref name="offset"/>.</summary>
    void Write(long offset, ReadOnlySpan<byte> source);
}
