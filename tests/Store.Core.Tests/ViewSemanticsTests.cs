using System.Text.Json;
using Store.Core.Arrays;

namespace Store.Core.Tests;

/// <summary>Views select what numpy selects on the same data (lists taken one axis at a time: orthogonal indexing).</summary>
public class ViewSemanticsTests
{
    private static readonly long[] Shape = [6, 5, 4];

    private static readonly string[] Views =
    [
        "", "2", "-1", "1:4", "::2", "::-1", "4:1:-1", "-2:", ":-7", "10:20", "3:3", "5:0", "-100:100:3",
        ":, 1", ":, -2:", ":, ::-2, 1", "1, 2", "1, 2, 3", "-6, -5, -4", "::3, 1:4:2, ::-3",
        "[0, 5, 2]", "[1, 1, -1]", ":, [4, 0]", "[0, 2], [1, 3]", "2, [3, 0], ::-1", "[5], 1:2, [0, 0, 3]",
        ":, :, [3]", "1:5:3, -1", "[]", "0:0, [1]",
    ];

    // Applies a view the way the store defines it, axis by axis, in numpy.
    private const string Apply = """
        def parts(text):
            out, depth, cur = [], 0, ''
            for c in text:
                if c == ',' and depth == 0:
                    out.append(cur); cur = ''
                    continue
                depth += c == '['; depth -= c == ']'; cur += c
            return [p.strip() for p in out + [cur] if p.strip()]

        def select(a, text):
            axis, keys = 0, []
            for p in parts(text):
                if p.startswith('['):
                    a = np.take(a, np.array(json.loads(p), dtype=np.int64), axis=axis); axis += 1
                elif ':' in p:
                    s = slice(*[int(x) if x.strip() else None for x in p.split(':')])
                    a = a[(slice(None),) * axis + (s,)]; axis += 1
                else:
                    a = np.take(a, int(p), axis=axis)
            return a

        """;

    public static TheoryData<string> ViewTexts() => [.. Views];

    [Fact]
    public void Read_EveryView_SelectsWhatNumpySelects()
    {
        using var store = ArrayStore.InMemory();
        store.Write("x", NdArray.From(Enumerable.Range(0, 120).ToArray(), Shape));
        var expected = RunNumpy("a = np.arange(120, dtype=np.int32).reshape(6, 5, 4)\nr = select(a, v)");
        for (var i = 0; i < Views.Length; i++)
        {
            var actual = store.Read("x", ArrayView.Parse(Views[i]))!;
            Assert.True(expected[i].Shape.SequenceEqual(actual.Shape), $"[{Views[i]}] shape {string.Join(",", actual.Shape)} vs numpy {string.Join(",", expected[i].Shape)}");
            Assert.True(expected[i].Values.SequenceEqual(actual.ToArray<int>()), $"[{Views[i]}] values differ from numpy");
        }
    }

    [Fact]
    public void Write_EveryView_ChangesWhatNumpyChanges()
    {
        var expected = RunNumpy("""
            a = np.zeros((6, 5, 4), dtype=np.int32)
            idx = np.arange(a.size).reshape(a.shape)
            sel = select(idx, v).ravel()
            flat = a.ravel()
            flat[sel] = -(np.arange(sel.size) + 1)
            r = flat.reshape(a.shape)
            """);
        for (var i = 0; i < Views.Length; i++)
        {
            using var store = ArrayStore.InMemory();
            store.Write("x", NdArray.Zeros(DType.Int32, Shape));
            var view = ArrayView.Parse(Views[i]);
            var selectionShape = store.Read("x", view)!.Shape.ToArray();
            var count = (int)selectionShape.Aggregate(1L, (a, b) => a * b);
            if (selectionShape.Length > 0 && Views[i].Contains('[') && HasRepeats(Views[i]))
            {
                continue; // numpy keeps the last of repeated targets; the store too, but numpy's order of repeats is unspecified
            }

            store.Write("x", NdArray.From(Enumerable.Range(1, count).Select(v => -v).ToArray(), selectionShape), view);
            Assert.True(expected[i].Values.SequenceEqual(store.Read("x")!.ToArray<int>()), $"write through [{Views[i]}] differs from numpy");
        }
    }

    [Fact]
    public void ByAxis_SeedAxisKeyedForm_EqualsPositionalView()
    {
        using var store = ArrayStore.InMemory();
        store.Write("x", NdArray.From(Enumerable.Range(0, 120).ToArray(), Shape));
        var keyed = ArrayView.ByAxis(new Dictionary<int, AxisSelector> { [1] = AxisSelector.Range(1, null, 2), [2] = AxisSelector.At(-1) });
        Assert.Equal(store.Read("x", ArrayView.Parse(":, 1::2, -1"))!.ToArray<int>(), store.Read("x", keyed)!.ToArray<int>());
        Assert.Throws<ShapeException>(() => ArrayView.ByAxis(new Dictionary<int, AxisSelector> { [-1] = AxisSelector.All }));
    }

    private static bool HasRepeats(string view) =>
        view.Split('[').Skip(1).Select(p => p[..p.IndexOf(']')].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Any(list => list.Select(v => (int.Parse(v) + 6) % 6).Distinct().Count() != list.Length);

    private static List<(long[] Shape, int[] Values)> RunNumpy(string perView)
    {
        var script = Apply + "out = []\nfor v in json.loads(sys.argv[1]):\n"
            + string.Concat(perView.Split('\n').Select(line => "    " + line + "\n"))
            + "    out.append([list(r.shape), r.ravel().tolist()])\nprint(json.dumps(out))\n";
        var result = JsonSerializer.Deserialize<JsonElement>(Numpy.Run(script, JsonSerializer.Serialize(Views)));
        return [.. result.EnumerateArray().Select(r => (
            r[0].EnumerateArray().Select(d => d.GetInt64()).ToArray(),
            r[1].EnumerateArray().Select(d => d.GetInt32()).ToArray()))];
    }
}
