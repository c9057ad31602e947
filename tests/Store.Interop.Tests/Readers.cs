using System.Diagnostics;
using System.Text.Json;

namespace Store.Interop.Tests;

/// <summary>Runs the real readers in tests/interop/read.mjs (DuckDB, apache-arrow; installed by test.sh).</summary>
public static class Readers
{
    private static readonly string Script = Path.Combine(RepositoryRoot(), "tests", "interop", "read.mjs");

    /// <summary>A table file as DuckDB reads it.</summary>
    public static ReadResult DuckDb(string file, string format) => Parse(Node("duckdb", file, format));

    /// <summary>An Arrow IPC file as apache-arrow reads it.</summary>
    public static ReadResult Arrow(string file) => Parse(Node("arrow", file));

    /// <summary>DuckDB writes the result of <paramref name="query"/> to <paramref name="file"/> as parquet or csv.</summary>
    public static void DuckDbWrite(string query, string file, string format) => Node("duckdb-write", query, file, format);

    private static ReadResult Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return new ReadResult(
            [.. root.GetProperty("columns").EnumerateArray().Select(c => (c[0].GetString()!, c[1].GetString()!))],
            [.. root.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray())]);
    }

    private static string Node(params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("node timed out after 120 s");
        }

        Assert.True(process.ExitCode == 0, $"node {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stderr.Result}");
        return stdout.Result;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Store.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Store.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>What a reader saw: column names with the reader's type names, and the rows.</summary>
public sealed record ReadResult(IReadOnlyList<(string Name, string Type)> Columns, IReadOnlyList<JsonElement[]> Rows);
