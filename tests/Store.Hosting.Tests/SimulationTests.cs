using System.Diagnostics;
using System.Text.Json;
using Store.Core.Tests;
using Store.Interop.Tests;

namespace Store.Hosting.Tests;

/// <summary>
/// The Simulation sample at small sizes: numpy, zarr-python, zarrita and DuckDB read what it writes,
/// with the same values whatever the formats for one seed; and <c>--resume</c> after a SIGKILL
/// completes the output with every frame exactly once, identical to an uninterrupted run.
/// </summary>
public class SimulationTests : IDisposable
{
    private const int Runs = 2;
    private const int Frames = 12;
    private const int Atoms = 8;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SameSeed_EveryFormat_ReadersSeeTheExpectedShapesAndIdenticalData()
    {
        (string Name, string[] Arguments)[] layouts =
        [
            ("npy-parquet", ["--array-format", "npy", "--table-format", "parquet"]),
            ("npz-csv", ["--array-format", "npz", "--table-format", "csv"]),
            ("zarr2-ipc", ["--array-format", "zarr", "--zarr-version", "2", "--table-format", "ipc"]),
            ("zarr3-json", ["--array-format", "zarr", "--zarr-version", "3", "--table-format", "json"]),
        ];

        var arrays = new Dictionary<string, Dictionary<string, (string Shape, string Sha256)>>();
        var energies = new Dictionary<string, List<string>>();
        foreach (var (name, arguments) in layouts)
        {
            var output = _temp.Sub(name);
            var run = Simulation(["--out", output, "--runs", $"{Runs}", "--frames", $"{Frames}", "--atoms", $"{Atoms}", "--flush-every", "5", .. arguments]);
            Assert.True(run.ExitCode == 0, $"{name}: exit {run.ExitCode}\n{run.Output}");
            Assert.Contains("total", run.Output);
            arrays[name] = ReadArrays(name, output);
            energies[name] = ReadEnergies(name, output);
        }

        foreach (var (name, seen) in arrays)
        {
            Assert.Equal(Runs * 2, seen.Count);
            Assert.All(seen.Values, a => Assert.Equal($"{Frames},{Atoms},3", a.Shape));
            Assert.Equal(arrays["npy-parquet"], seen);
        }

        foreach (var (name, rows) in energies)
        {
            Assert.Equal(Runs * Frames, rows.Count);
            Assert.Equal(energies["npy-parquet"], rows);
        }

        // The trajectories move: the last frame differs from the first.
        Assert.NotEqual(arrays["npy-parquet"]["ens0/run0/coordinates"].Sha256, arrays["npy-parquet"]["ens0/run1/coordinates"].Sha256);
    }

    [Fact]
    public async Task Resume_AfterSigkill_CompletesEveryRunWithEachFrameOnce_IdenticalToAnUninterruptedRun()
    {
        const int frames = 3000;
        string[] common = ["--runs", $"{Runs}", "--frames", $"{frames}", "--atoms", "32", "--flush-every", "25", "--array-format", "npy", "--table-format", "parquet"];
        var reference = Simulation(["--out", _temp.Sub("reference"), .. common]);
        Assert.True(reference.ExitCode == 0, reference.Output);

        var output = _temp.Sub("killed");
        var kills = 0;
        for (var attempt = 0; attempt < 3 && kills == 0; attempt++)
        {
            kills += await KillPartWay(["--out", output, "--durable", .. common], Path.Combine(output, "arrays", "ens0", "run0", "coordinates.npy")) ? 1 : 0;
        }

        Assert.True(kills > 0, "the simulation finished before it could be killed");
        var partial = ReadArrays("npy-parquet", output);
        Assert.True(long.Parse(partial["ens0/run0/coordinates"].Shape.Split(',')[0]) < frames, "killed output is already complete");

        var resumed = Simulation(["--out", output, "--durable", "--resume", .. common]);
        Assert.True(resumed.ExitCode == 0, resumed.Output);

        Assert.Equal(ReadArrays("npy-parquet", _temp.Sub("reference")), ReadArrays("npy-parquet", output));
        var rows = ReadEnergies("npy-parquet", output);
        Assert.Equal(Runs * frames, rows.Count);
        Assert.Equal(ReadEnergies("npy-parquet", _temp.Sub("reference")), rows);
    }

    [Fact]
    public void Durable_CleanRun_LeavesNoCoveredEventAndASmallJournal()
    {
        const int frames = 3000;
        const int atoms = 32;
        var output = _temp.Sub("durable");
        var workingDirectory = Directory.CreateDirectory(_temp.Sub("cwd")).FullName;
        var run = Samples.RunIn(workingDirectory, "Simulation", ["--out", output, "--durable", "--runs", $"{Runs}", "--frames", $"{frames}", "--atoms", $"{atoms}", "--flush-every", "25", "--array-format", "npy", "--table-format", "parquet"]);
        Assert.True(run.ExitCode == 0, run.Output);

        // Every frame of every run went through the journal: coordinates and velocities, float32 (n, 3) each.
        var journaledData = (long)Runs * 2 * frames * atoms * 3 * sizeof(float);
        var journal = Path.Combine(output, Store.Actors.ActorStoreOptions.DefaultJournalFile);
        var left = new[] { journal, journal + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        Assert.True(left < journaledData / 20, $"the journal takes {left} bytes after a clean run that journaled {journaledData} bytes of frames");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={journal};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM journal WHERE deleted = 0 AND persistence_id LIKE 'store|%'";
            Assert.Equal(0L, (long)command.ExecuteScalar()!);
        }

        Assert.Equal(Runs * frames, ReadEnergies("npy-parquet", output).Count);

        // The snapshot store is on the journal's database: nothing lands in the working directory (Akka's default 'snapshots').
        Assert.Empty(Directory.GetFileSystemEntries(workingDirectory));
    }

    [Fact]
    public void ClusterScript_ThreeStoreNodes_WriteWhatOneProcessWritesForTheSameSeed()
    {
        string[] common = ["--frames", "40", "--atoms", "16", "--flush-every", "15", "--seed", "7"];
        var cluster = _temp.Sub("cluster");
        var script = ClusterScript([cluster, "--runs-per-node", "2", .. common]);
        Assert.True(script.ExitCode == 0, $"exit {script.ExitCode}:\n{script.Output}");
        for (var node = 0; node < 3; node++)
        {
            Assert.Contains($"node {node} (runs {2 * node}..{2 * node + 1}): 2 runs × 40 frames", script.Output);
            Assert.Contains("waiting for 3 member(s) to be up", File.ReadAllText(Path.Combine(cluster + ".logs", $"node{node}.log")));
        }

        var single = _temp.Sub("single");
        var reference = Simulation(["--out", single, "--runs", "6", .. common]);
        Assert.True(reference.ExitCode == 0, reference.Output);
        var arrays = ReadArrays("zarr3-parquet", cluster, runs: 6);
        Assert.Equal(ReadArrays("zarr3-parquet", single, runs: 6), arrays);
        Assert.All(arrays.Values, a => Assert.Equal("40,16,3", a.Shape));
        var energies = ReadEnergies("zarr3-parquet", cluster);
        Assert.Equal(6 * 40, energies.Count);
        Assert.Equal(ReadEnergies("zarr3-parquet", single), energies);
    }

    [Fact]
    public void Defaults_WriteZarrV3AndParquet_AndBadArgumentsAreRefusedByName()
    {
        var output = _temp.Sub("defaults");
        var run = Simulation(["--out", output, "--frames", "3"]);
        Assert.True(run.ExitCode == 0, run.Output);
        var seen = Readers.Zarrita(Path.Combine(output, "arrays"), [.. Enumerable.Range(0, 4).Select(r => $"ens0/run{r}/coordinates")]);
        Assert.All(Enumerable.Range(0, 4), r => Assert.Equal([3L, 256, 3], seen.GetProperty($"ens0/run{r}/coordinates").GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())));
        Assert.Equal(12, TableFiles.Read(Path.Combine(output, "tables", "energies.parquet"), "parquet").Rows.Count);

        var refused = Simulation(["--out", output, "--runs", "0", "--array-format", "hdf5"]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("--runs must be at least 1; found 0", refused.Output);
        Assert.Contains("hdf5", refused.Output);
        var missing = Simulation(["--out", _temp.Sub("nothing-here"), "--resume"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist", missing.Output);
    }

    [Fact]
    public async Task Sigterm_StopsAfterWholeFrames_SaysSoExits143AndTheResumeCommandFinishesTheRuns()
    {
        const int frames = 20_000;
        var output = _temp.Sub("interrupted");
        using var process = Start(["--out", output, "--runs", $"{Runs}", "--frames", $"{frames}", "--atoms", "32", "--flush-every", "25", "--array-format", "npy"]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var first = Path.Combine(output, "arrays", "ens0", "run0", "coordinates.npy");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!process.HasExited && DateTime.UtcNow < deadline && !(File.Exists(first) && new FileInfo(first).Length > 4096))
        {
            await Task.Delay(20);
        }

        Assert.False(process.HasExited, "the simulation finished before it could be signalled");
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        var said = await stdout + await stderr;
        Assert.True(process.ExitCode == 143, $"exit {process.ExitCode}:\n{said}");
        Assert.Contains("Interrupted (SIGTERM)", said);
        var command = System.Text.RegularExpressions.Regex.Match(said, @"Continue them with: dotnet run --project samples/Simulation -- (.*)");
        Assert.True(command.Success, said);
        var arguments = System.Text.RegularExpressions.Regex.Matches(command.Groups[1].Value.Trim(), "\"([^\"]*)\"|(\\S+)")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToArray();
        Assert.Contains("--resume", arguments);
        Assert.Contains(output, arguments);

        // The command as printed (no formats: the output's manifests say them) completes every run.
        var resumed = Simulation(arguments);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(Runs * frames, ReadEnergies("npy-parquet", output).Count);
        Assert.All(ReadArrays("npy-parquet", output).Values, a => Assert.StartsWith($"{frames},32,3", a.Shape));
    }

    [Fact]
    public void Resume_WithFlagsTheOutputContradicts_IsRefusedSayingWhatItHolds()
    {
        var output = _temp.Sub("npy-csv");
        var run = Simulation(["--out", output, "--runs", "1", "--frames", "4", "--atoms", "8", "--array-format", "npy", "--table-format", "csv"]);
        Assert.True(run.ExitCode == 0, run.Output);

        var wrongArrays = Simulation(["--out", output, "--runs", "1", "--frames", "6", "--atoms", "8", "--resume", "--array-format", "zarr"]);
        Assert.Equal(2, wrongArrays.ExitCode);
        Assert.Contains("holds npy arrays, not zarr: drop --array-format or pass --array-format npy", wrongArrays.Output);
        var wrongTables = Simulation(["--out", output, "--runs", "1", "--frames", "6", "--atoms", "8", "--resume", "--table-format", "parquet"]);
        Assert.Equal(2, wrongTables.ExitCode);
        Assert.Contains("holds csv tables, not parquet", wrongTables.Output);

        var resumed = Simulation(["--out", output, "--runs", "1", "--frames", "6", "--atoms", "8", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(6, Readers.DuckDb(Path.Combine(output, "tables", "energies.csv"), "csv").Rows.Count);
        Assert.False(Path.Exists(Path.Combine(output, "tables", "energies.parquet")));
        Assert.Equal("[6, 8, 3]", Numpy.Run("print(list(np.load(sys.argv[1]).shape))", Path.Combine(output, "arrays", "ens0", "run0", "coordinates.npy")).Trim());
    }

    [Fact]
    public async Task SecondRun_OnAnOutputAnotherRunIsWriting_IsRefusedNamingIt()
    {
        var output = _temp.Sub("busy");
        using var first = Start(["--out", output, "--runs", "1", "--frames", "100000", "--atoms", "32", "--durable"]);
        var stdout = first.StandardOutput.ReadToEndAsync();
        var stderr = first.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!first.HasExited && DateTime.UtcNow < deadline && !File.Exists(Path.Combine(output, "arrays", ".store.owner")))
        {
            await Task.Delay(20);
        }

        try
        {
            var second = Simulation(["--out", output, "--runs", "1", "--frames", "10", "--atoms", "32", "--durable", "--resume"]);
            Assert.Equal(2, second.ExitCode);
            Assert.Contains("being written by another run", second.Output);
            Assert.Contains($"process {first.Id}", second.Output);
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            await Task.WhenAll(stdout, stderr);
        }
    }

    // Starts the simulation and SIGKILLs it once its first run has flushed some frames; false if it finished first.
    private static async Task<bool> KillPartWay(string[] arguments, string firstFile)
    {
        using var process = Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!process.HasExited && DateTime.UtcNow < deadline && !(File.Exists(firstFile) && new FileInfo(firstFile).Length > 4096))
        {
            await Task.Delay(20);
        }

        await Task.Delay(150);
        if (process.HasExited)
        {
            return false;
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);
        return true;
    }

    private static Dictionary<string, (string Shape, string Sha256)> ReadArrays(string layout, string output, int runs = Runs)
    {
        var root = Path.Combine(output, "arrays");
        var paths = Enumerable.Range(0, runs).SelectMany(r => new[] { $"ens0/run{r}/coordinates", $"ens0/run{r}/velocities" }).ToArray();
        JsonElement seen;
        if (layout.StartsWith("zarr3", StringComparison.Ordinal))
        {
            seen = Readers.Zarrita(root, paths);
        }
        else
        {
            var open = layout.Split('-')[0] switch
            {
                "npy" => "a = np.load(os.path.join(sys.argv[1], p + '.npy'))",
                "npz" => "a = np.load(os.path.join(sys.argv[1], 'store.npz'))[p]",
                _ => "import zarr; a = zarr.open_group(sys.argv[1], mode='r')[p][...]",
            };
            seen = JsonDocument.Parse(Numpy.Run(
                $$"""
                import os
                out = {}
                for p in sys.argv[2:]:
                    {{open}}
                    out[p] = {"dtype": str(a.dtype), "shape": list(a.shape), "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()}
                print(json.dumps(out))
                """,
                [root, .. paths])).RootElement;
        }

        return paths.ToDictionary(p => p, p =>
        {
            var array = seen.GetProperty(p);
            Assert.Equal("float32", array.GetProperty("dtype").GetString());
            return (string.Join(',', array.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())), array.GetProperty("sha256").GetString()!);
        });
    }

    // Each energies row as "run_id micro_id potential kinetic total" (doubles in round-trip form), sorted.
    private static List<string> ReadEnergies(string layout, string output)
    {
        var format = layout.Split('-')[1];
        var file = Path.Combine(output, "tables", "energies." + (format == "json" ? "jsonl" : format == "ipc" ? "arrow" : format));
        var read = TableFiles.Read(file, format);
        Assert.Equal(["ens_id", "run_id", "micro_id", "potential", "kinetic", "total"], read.Columns.Select(c => c.Name));
        var rows = read.Rows.Select(r =>
        {
            Assert.Equal("ens0", r[0].GetString());
            return string.Join(' ', r[1].GetString(), long.Parse(r[2].ToString()).ToString("D6"),
                r[3].GetDouble().ToString("R"), r[4].GetDouble().ToString("R"), r[5].GetDouble().ToString("R"));
        }).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(rows.Count, rows.Select(r => string.Join(' ', r.Split(' ')[..2])).Distinct().Count());
        return rows;
    }

    private static (int ExitCode, string Output) Simulation(string[] arguments) => Samples.Run("Simulation", arguments);

    // samples/cluster.sh on the Simulation these tests built.
    private static (int ExitCode, string Output) ClusterScript(string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Readers.RepositoryRoot(), "samples", "cluster.sh"));
        arguments.ToList().ForEach(start.ArgumentList.Add);
        start.Environment["SIMULATION"] = Samples.Dll("Simulation");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            var logs = Directory.GetFiles(arguments[0] + ".logs", "node*.log").Order(StringComparer.Ordinal)
                .Select(log => $"--- {Path.GetFileName(log)}:\n{string.Join('\n', File.ReadLines(log).Where(l => !l.StartsWith("progress", StringComparison.Ordinal)).TakeLast(30))}");
            Assert.Fail($"samples/cluster.sh did not finish within 5 minutes:\n{stdout.Result}{stderr.Result}\n{string.Join('\n', logs)}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static Process Start(string[] arguments) => Samples.Start("Simulation", arguments);
}
