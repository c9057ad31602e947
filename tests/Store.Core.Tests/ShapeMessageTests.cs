using Store.Core.Arrays;
using Store.Core.Formats.Zarr;

namespace Store.Core.Tests;

/// <summary>
/// Error messages print shapes as numpy prints them, whatever they describe (an array, a chunk, the
/// rows an entry accepts): <c>(3,)</c> for one axis, <c>()</c> for none, never <c>(3)</c>.
/// </summary>
public class ShapeMessageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Append_OtherDTypeToOneAxisEntry_PrintsTheAcceptedShapeAsNumpyDoes()
    {
        using var store = ArrayStore.InMemory();
        store.Append("x", NdArray.From(new float[] { 1, 2, 3 }));

        var error = Assert.Throws<ShapeException>(() => store.Append("x", NdArray.From(new int[] { 1, 2 })));

        Assert.Contains("int32 data of shape (2,)", error.Message);
        Assert.Contains("expected float32 with shape (n,)", error.Message);
    }

    [Fact]
    public void Write_OneAxisChunkShapeOfZero_PrintsTheChunkShapeAsNumpyDoes()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr);

        var error = Assert.Throws<ShapeException>(() => store.Write("x", NdArray.From(new float[] { 1, 2, 3 }), [0]));

        Assert.Contains("Chunk shape (0,)", error.Message);
        Assert.Contains("of (3,)", error.Message);
    }

    [Fact]
    public void Validate_OneAxisChunkShapeOfZero_PrintsTheChunkShapeAsNumpyDoes()
    {
        var error = Assert.ThrowsAny<StoreException>(() => new ZarrOptions { ChunkShape = [0] }.Validate());

        Assert.Contains("ChunkShape is (0,)", error.Message);
    }

    [Fact]
    public void Write_ChunkShapeWithOneAxisTooMany_PrintsBothShapesAsNumpyDoes()
    {
        using var store = new ArrayStore(_temp.Path, "w", DiskFormat.Zarr);

        var error = Assert.Throws<ShapeException>(() => store.Write("x", NdArray.Scalar(1f), [2]));

        Assert.Contains("Chunk shape (2,)", error.Message);
        Assert.Contains("of ()", error.Message);
    }
}
