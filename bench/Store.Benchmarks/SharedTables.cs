using Store.Core;

namespace Store.Benchmarks;

/// <summary>
/// Tables that every benchmark process of one run reads and none changes (the 4 M-row energies
/// table), built once: BenchmarkDotNet runs each case in its own process, so <c>Program</c> names a
/// folder for the run in an environment variable the processes inherit, the first case that needs
/// a table builds it there, and <c>Program</c> removes the folder when the run ends. Without the
/// variable (a case run some other way) each process builds its own copy and removes it.
/// </summary>
public static class SharedTables
{
    /// <summary>The environment variable naming the run's shared folder.</summary>
    public const string Variable = "STORE_BENCH_SHARED";

    /// <summary>Names a fresh shared folder for this run (inherited by the benchmark processes); returns it.</summary>
    public static string Begin()
    {
        var folder = Frames.TempRoot("shared");
        Environment.SetEnvironmentVariable(Variable, folder);
        return folder;
    }

    /// <summary>Removes the folder <see cref="Begin"/> named, with every table built in it.</summary>
    public static void End(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The root of a store holding the full energies table (<see cref="EnergyRows.Flushes"/> flushes)
    /// in <paramref name="format"/>, built now unless this run already built it.
    /// </summary>
    /// <param name="format">The disk format.</param>
    /// <param name="owned">True when the caller must delete the root itself (no shared folder for the run).</param>
    public static string Energies(DiskFormat format, out bool owned)
    {
        var shared = Environment.GetEnvironmentVariable(Variable);
        owned = string.IsNullOrEmpty(shared);
        var root = owned ? Frames.TempRoot($"energies-{format}") : Path.Combine(shared!, $"energies-{format}");
        var done = root + ".built";
        if (owned || !File.Exists(done))
        {
            EnergyRows.Build(root, format);
            if (!owned)
            {
                File.WriteAllText(done, $"{EnergyRows.Flushes} x {EnergyRows.FlushRows} rows{Environment.NewLine}");
            }
        }

        return root;
    }
}
