using System.Text.Json;
using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>
/// Slices and indices at the ends of <see cref="long"/> select what numpy selects: no arithmetic in
/// resolving a view may overflow. numpy is the reference, run on every case.
/// </summary>
public class ViewExtremesTests : IDisposable
{
    private static readonly long[] Sizes = [0, 1, 3, 6];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static long?[] Bounds(long size) =>
        [null, long.MinValue, long.MinValue + 1, -size - 1, -size, -1, 0, 1, size - 1, size, size + 1, long.MaxValue - 1, long.MaxValue];

    private static long[] Steps(long size) =>
        [long.MinValue, long.MinValue + 1, -size - 1, -2, -1, 0, 1, 2, size + 1, long.MaxValue - 1, long.MaxValue];

    private static ArrayStore StoreOfRows()
    {
        var store = ArrayStore.InMemory();
        foreach (var size in Sizes)
        {
            // Row r holds (r, -r), so a selection names its rows.
            store.Write($"a{size}", NdArray.From(Enumerable.Range(0, (int)size).SelectMany(r => new long[] { r, -r }).ToArray(), size, 2));
        }

        return store;
    }

    // numpy's answer for each case: the selected rows, or null when numpy raises.
    private List<long[]?> Numpy(string script, object cases)
    {
        Directory.CreateDirectory(_temp.Path);
        var file = _temp.Sub("cases.json");
        File.WriteAllText(file, JsonSerializer.Serialize(cases));
        var output = Tests.Numpy.Run(
            "cases = json.load(open(sys.argv[1]))\nout = []\nfor c in cases:\n    a = np.arange(c[0])\n    try:\n"
            + script + "\n    except (IndexError, ValueError):\n        out.append(None)\nprint(json.dumps(out))\n",
            file);
        return [.. JsonSerializer.Deserialize<JsonElement>(output).EnumerateArray()
            .Select(r => r.ValueKind == JsonValueKind.Null ? null : r.EnumerateArray().Select(v => v.GetInt64()).ToArray())];
    }

    // The store's answer: the rows selected, or null when it refuses with a ShapeException.
    private static long[]? Rows(ArrayStore store, long size, AxisSelector selector, out long[] shape)
    {
        shape = [];
        try
        {
            var read = store.Read($"a{size}", ArrayView.Of(selector))!;
            shape = [.. read.Shape];
            var values = read.ToArray<long>();
            return read.Rank == 1 ? [values[0]] : [.. Enumerable.Range(0, (int)read.Shape[0]).Select(r => values[2 * r])];
        }
        catch (ShapeException)
        {
            return null;
        }
    }

    [Fact]
    public void Read_ExtremeSlice_SelectsWhatNumpySelects()
    {
        var cases = new List<object?[]>();
        foreach (var size in Sizes)
        {
            foreach (var start in Bounds(size))
            {
                foreach (var stop in Bounds(size))
                {
                    foreach (var step in Steps(size))
                    {
                        cases.Add([size, start, stop, step]);
                    }
                }
            }
        }

        var expected = Numpy("        out.append(a[c[1]:c[2]:c[3]].tolist())", cases);
        using var store = StoreOfRows();
        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var (size, start, stop, step) = ((long)cases[i][0]!, (long?)cases[i][1], (long?)cases[i][2], (long)cases[i][3]!);
            var actual = Rows(store, size, AxisSelector.Range(start, stop, step), out var shape);
            var same = expected[i] is null ? actual is null : actual is not null && actual.SequenceEqual(expected[i]!) && shape.SequenceEqual([expected[i]!.Length, 2L]);
            if (!same)
            {
                failures.Add($"size {size}, [{start}:{stop}:{step}]: store {(actual is null ? "refused" : $"({string.Join(", ", actual)})")}, numpy {(expected[i] is null ? "refused" : $"({string.Join(", ", expected[i]!)})")}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} slices differ from numpy:\n" + string.Join("\n", failures.Take(30)));
    }

    [Fact]
    public void Read_ExtremeIndex_SelectsWhatNumpySelectsOrThrowsShapeException()
    {
        var cases = new List<object[]>();
        foreach (var size in Sizes)
        {
            foreach (var index in new[] { long.MinValue, long.MinValue + 1, -size - 1, -size, -1, 0, size - 1, size, long.MaxValue })
            {
                cases.Add([size, index]);
            }
        }

        var expected = Numpy("        out.append([int(a[c[1]])])", cases);
        using var store = StoreOfRows();
        for (var i = 0; i < cases.Count; i++)
        {
            var (size, index) = ((long)cases[i][0], (long)cases[i][1]);
            Assert.Equal(expected[i], Rows(store, size, AxisSelector.At(index), out _));
            Assert.Equal(expected[i], Rows(store, size, AxisSelector.Take(index), out _));
        }
    }

    [Theory]
    [InlineData("0:9223372036854775807:9223372036854775807", new long[] { 0 })]
    [InlineData("::9223372036854775807", new long[] { 0 })]
    [InlineData("::-9223372036854775808", new long[] { 5 })]
    [InlineData("-9223372036854775808:9223372036854775807:3", new long[] { 0, 3 })]
    [InlineData("9223372036854775807:-9223372036854775808:-4", new long[] { 5, 1 })]
    [InlineData("1:9223372036854775807:9223372036854775806", new long[] { 1 })]
    public void Parse_ExtremeSlice_HasNumpysShape(string text, long[] rows)
    {
        using var store = StoreOfRows();
        var read = store.Read("a6", ArrayView.Parse(text))!;
        Assert.Equal([rows.Length, 2L], read.Shape.ToArray());
        Assert.Equal(rows, Enumerable.Range(0, rows.Length).Select(r => read.ToArray<long>()[2 * r]));
    }

    [Theory]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775807")]
    [InlineData("[0, -9223372036854775808]")]
    [InlineData("::0")]
    [InlineData("9223372036854775808")]
    [InlineData("0:-9223372036854775809")]
    public void Read_ImpossibleIndexOrStep_ThrowsShapeException(string text)
    {
        using var store = StoreOfRows();
        Assert.Throws<ShapeException>(() => store.Read("a6", ArrayView.Parse(text)));
    }

    [Fact]
    public void Write_ExtremeSlice_ChangesWhatNumpyChanges()
    {
        using var store = StoreOfRows();
        store.Write("a6", NdArray.From(new long[] { 100, 100 }, 1, 2), ArrayView.Parse("0:9223372036854775807:9223372036854775807"));
        store.Write("a6", NdArray.From(new long[] { 500, 500 }, 1, 2), ArrayView.Parse("::-9223372036854775808"));
        Assert.Equal([100L, 100, 1, -1, 2, -2, 3, -3, 4, -4, 500, 500], store.Read("a6")!.ToArray<long>());
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1 << 30)]
    [InlineData(65_536)]
    public void ByAxis_AxisNumberBeyondAnyArray_ThrowsShapeException(int axis)
    {
        var error = Assert.Throws<ShapeException>(() => ArrayView.ByAxis(new Dictionary<int, AxisSelector> { [axis] = AxisSelector.At(0) }));
        Assert.Contains(axis.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void ByAxis_HighestAxisAccepted_IsRefusedOnlyAgainstTheArray()
    {
        var view = ArrayView.ByAxis(new Dictionary<int, AxisSelector> { [65_535] = AxisSelector.At(0) });
        Assert.Equal(65_536, view.Axes.Length);
        using var store = StoreOfRows();
        Assert.Throws<ShapeException>(() => store.Read("a6", view));
    }
}
