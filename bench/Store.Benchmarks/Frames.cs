using Store.Core.Arrays;

namespace Store.Benchmarks;

/// <summary>The benchmark workload: trajectory frames of (1000, 3) float32, a few distinct ones reused round-robin.</summary>
public static class Frames
{
    /// <summary>Atoms per frame.</summary>
    public const int Atoms = 1000;

    /// <summary>Bytes per frame: 1000 × 3 × 4.</summary>
    public const int FrameBytes = Atoms * 3 * sizeof(float);

    /// <summary>Eight distinct frames shaped (1, 1000, 3), so building input is not part of what is measured.</summary>
    public static NdArray[] Build()
    {
        var random = new Random(42);
        return Enumerable.Range(0, 8)
            .Select(_ => NdArray.From(Enumerable.Range(0, Atoms * 3).Select(_ => random.NextSingle()).ToArray(), 1, Atoms, 3))
            .ToArray();
    }

    /// <summary>A fresh folder under the temp directory for one benchmark class.</summary>
    public static string TempRoot(string name) =>
        Path.Combine(Path.GetTempPath(), "store-bench", $"{name}-{Environment.ProcessId}");
}
