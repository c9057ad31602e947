namespace Store.Core.Arrays;

/// <summary>Copies the selection of a resolved view out of, or into, an array's bytes.</summary>
internal static class ViewCopy
{
    /// <summary>Reads the selected elements of <paramref name="source"/> into a new array.</summary>
    public static NdArray Gather(IByteSource source, ResolvedView view, DType dtype, string? path)
    {
        var byteLength = Shapes.ByteLength(view.OutputShape, dtype, path);
        if (byteLength > Array.MaxLength)
        {
            throw new ShapeException(
                $"Selection of shape {Shapes.Format(view.OutputShape)} needs {byteLength} bytes, more than one in-memory array holds; read a smaller view or use Iter.",
                path);
        }

        var bytes = GC.AllocateUninitializedArray<byte>((int)byteLength);
        var visitor = new GatherVisitor(source, bytes);
        view.ForEachRun(dtype.ItemSize(), ref visitor);
        return NdArray.FromBytes(dtype, view.OutputShape, bytes);
    }

    /// <summary>Writes <paramref name="data"/> over the selected elements of <paramref name="sink"/>.</summary>
    /// <exception cref="ShapeException">The data's dtype or shape differs from the selection's.</exception>
    public static void Scatter(IByteSink sink, ResolvedView view, DType dtype, NdArray data, string? path)
    {
        CheckFits(view, dtype, data, path);
        var visitor = new ScatterVisitor(sink, data.Memory);
        view.ForEachRun(dtype.ItemSize(), ref visitor);
    }

    /// <summary>Throws unless <paramref name="data"/> has the selection's dtype and shape.</summary>
    public static void CheckFits(ResolvedView view, DType dtype, NdArray data, string? path)
    {
        if (data.DType != dtype)
        {
            throw new ShapeException($"Data of dtype {data.DType.Name()} cannot be written into an array of {dtype.Name()}.", path);
        }

        if (!data.Shape.AsSpan().SequenceEqual(view.OutputShape))
        {
            throw new ShapeException(
                $"Data of shape {Shapes.Format(data.Shape.AsSpan())} does not fit a view of shape {Shapes.Format(view.OutputShape)}.",
                path);
        }
    }

    private readonly struct GatherVisitor(IByteSource source, byte[] target) : IRunVisitor
    {
        public void Visit(long sourceOffset, long targetOffset, long length) =>
            source.Read(sourceOffset, target.AsSpan(checked((int)targetOffset), checked((int)length)));
    }

    private readonly struct ScatterVisitor(IByteSink sink, Memory<byte> data) : IRunVisitor
    {
        public void Visit(long sourceOffset, long targetOffset, long length) =>
            sink.Write(sourceOffset, data.Span.Slice(checked((int)targetOffset), checked((int)length)));
    }
}
