using Store.Core.Arrays;

namespace Store.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void AppendFlushReopen_Npy_ReadsBack()
    {
        using var temp = new TempFolder();
        using (var store = new ArrayStore(temp.Path, "w", DiskFormat.Npy))
        {
            store.Append("a/b", NdArray.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
            store.Flush();
            store.Append("a/b", NdArray.From(new float[] { 7, 8, 9 }, 1, 3));
            store.Flush();
        }

        using var reopened = new ArrayStore(temp.Path, "r", DiskFormat.Npy);
        Assert.Equal(["a/b"], reopened.Available());
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, reopened.Read("a/b")!.ToArray<float>());
    }

    [Fact]
    public void AppendFlushReopen_Npz_ReadsBack()
    {
        using var temp = new TempFolder();
        using (var store = new ArrayStore(temp.Path, "w", DiskFormat.Npz))
        {
            store.Append("a/b", NdArray.From(new int[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
            store.Flush();
            store.Append("a/b", NdArray.From(new int[] { 7, 8, 9 }, 1, 3));
            store.Write("c", NdArray.From(new double[] { 1.5 }));
            store.Flush();
        }

        using var reopened = new ArrayStore(temp.Path, "r", DiskFormat.Npz);
        Assert.Equal(["a/b", "c"], reopened.Available());
        Assert.Equal(new int[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, reopened.Read("a/b")!.ToArray<int>());
        Assert.Equal(new double[] { 1.5 }, reopened.Read("c")!.ToArray<double>());
    }
}
