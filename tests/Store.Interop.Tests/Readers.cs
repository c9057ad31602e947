using System.Diagnostics;
using System.Text.Json;

namespace Store.Interop.Tests;

/// <summary>Runs the real readers in tests/interop (DuckDB, apache-arrow, zarrita; installed by test.sh).</summary>
public static class Readers
{
    private static readonly string Script = Path.Combine(RepositoryRoot(), "tests", "interop", "read.mjs");
    private static readonly string ZarrScript = Path.Combine(RepositoryRoot(), "tests", "interop", "zarr.mjs");
    private static readonly string TablesScript = Path.Combine(RepositoryRoot(), "tests", "Store.Interop.Tests", "Scripts", "tables.mjs");

    /// <summary>The script that opens table folders as other tools do (Scripts/tables.mjs), for <see cref="DuckDbPoll"/>.</summary>
    public static string TablesScriptPath => TablesScript;

    /// <summary>
    /// Whether polars is installed beside the other npm readers (nodejs-polars in tests/interop/node_modules):
    /// pyarrow and python polars cannot be installed here (no Debian package, no PyPI), so polars comes from npm or not at all.
    /// </summary>
    public static bool PolarsInstalled { get; } =
        Directory.Exists(Path.Combine(RepositoryRoot(), "tests", "interop", "node_modules", "nodejs-polars"));

    /// <summary>A table file as DuckDB reads it.</summary>
    public static ReadResult DuckDb(string file, string format) => Parse(Node(Script, "duckdb", file, format));

    /// <summary>An Arrow IPC file as apache-arrow reads it.</summary>
    public static ReadResult Arrow(string file) => Parse(Node(Script, "arrow", file));

    /// <summary>
    /// DuckDB writes the result of <paramref name="query"/> to <paramref name="file"/> as parquet or csv;
    /// <paramref name="options"/> are more COPY options (<c>PARQUET_VERSION V2, ROW_GROUP_SIZE 2048</c>).
    /// </summary>
    public static void DuckDbWrite(string query, string file, string format, string options = "") =>
        Node(Script, "duckdb-write", query, file, format, options);

    /// <summary>The result of one SQL statement in a fresh in-memory DuckDB (e.g. <c>parquet_metadata</c> of a file, or <c>epoch_ns</c> of timestamp columns: exact integers, as strings).</summary>
    public static ReadResult DuckDbSql(string statement) => Parse(Node(Script, "duckdb-sql", statement));

    /// <summary>An Arrow IPC file as apache-arrow reads it, 64-bit integers and timestamps as the raw integers stored (strings).</summary>
    public static ReadResult ArrowRaw(string file) => Parse(Node(Script, "arrow-raw", file));

    /// <summary>apache-arrow writes an IPC file of timestamp columns: name, unit (SECOND … NANOSECOND), zone or null, raw values.</summary>
    public static void ArrowWriteTimestamps(string file, IEnumerable<(string Name, string Unit, string? Zone, long?[] Values)> columns) =>
        Node(Script, "arrow-write-timestamps", file, JsonSerializer.Serialize(columns.Select(c => new
        {
            name = c.Name,
            unit = c.Unit,
            timezone = c.Zone,
            values = c.Values.Select(v => v?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        })));

    /// <summary>
    /// An Arrow IPC table folder as pyarrow.dataset discovers it (every file whose name starts with neither
    /// "." nor "_", in path order), each part read by apache-arrow; 64-bit integers and timestamps as the raw
    /// integers stored (strings). Fails when the parts' columns differ, as pyarrow's dataset does.
    /// </summary>
    public static (IReadOnlyList<string> Files, ReadResult Result) ArrowDataset(string folder)
    {
        var json = Node(TablesScript, "arrow-dataset", folder);
        var files = JsonDocument.Parse(json).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        return (files, Parse(json));
    }

    /// <summary>polars' <c>scan_parquet</c> / <c>scan_ipc</c> (<paramref name="format"/>: parquet or ipc) over <paramref name="glob"/>; integers and timestamps (raw counts) as strings. Needs <see cref="PolarsInstalled"/>.</summary>
    public static ReadResult Polars(string format, string glob) => Parse(Node(TablesScript, "polars", format, glob));

    /// <summary>The v3 arrays at <paramref name="paths"/> under the group <paramref name="root"/> as zarrita reads them: path → dtype, shape, chunks, sha256.</summary>
    public static JsonElement Zarrita(string root, IEnumerable<string> paths) =>
        JsonDocument.Parse(Node(ZarrScript, ["read", root, .. paths])).RootElement;

    /// <summary>zarrita writes its v3 test arrays under <paramref name="root"/>; returns what it wrote (path, dtype, shape, rows, fill).</summary>
    public static JsonElement ZarritaWrite(string root) => JsonDocument.Parse(Node(ZarrScript, "write", root)).RootElement;

    private static ReadResult Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return new ReadResult(
            [.. root.GetProperty("columns").EnumerateArray().Select(c => (c[0].GetString()!, c[1].GetString()!))],
            [.. root.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray())]);
    }

    private static string Node(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
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

    /// <summary>The checkout's root folder (the one holding Store.sln).</summary>
    public static string RepositoryRoot()
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
