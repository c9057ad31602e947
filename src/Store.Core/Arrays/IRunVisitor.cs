namespace Store.Core.Arrays;

/// <summary>Receives the contiguous byte runs of a <see cref="ResolvedView"/>.</summary>
internal interface IRunVisitor
{
    /// <summary>One run: <paramref name="length"/> bytes at <paramref name="sourceOffset"/> of the viewed array, at <paramref name="targetOffset"/> of the selection.</summary>
    void Visit(long sourceOffset, long targetOffset, long length);
}
