using System.Text.Json;
using Store.Core;

namespace Store.Interop.Tests.Corpus;

/// <summary>One file of the interop corpus (a case of tests/fixtures/corpus/cases.json).</summary>
/// <param name="Id">The case id, also its folder under the corpus output.</param>
/// <param name="Tool">The tool that wrote the file.</param>
/// <param name="Format">parquet, csv, json, ipc, npy, npz or zarr.</param>
/// <param name="File">The file (Zarr: the array folder) in the case folder, which a refusal must name.</param>
/// <param name="Contains">What the file holds, for people.</param>
/// <param name="Expect">"read" (equal to the tool's reader) or "refuse" (a StoreException naming the file).</param>
/// <param name="Needs">The pending work (another branch) the case waits for, or null.</param>
/// <param name="DeriveFrom">For cases the test writes itself: the case whose file it rewrites.</param>
/// <param name="DeriveCodec">For derived IPC cases: lz4 or zstd.</param>
public sealed record CorpusCase(string Id, string Tool, string Format, string File, string Contains, string Expect, string? Needs, string? DeriveFrom, string? DeriveCodec)
{
    private static readonly Lazy<IReadOnlyList<CorpusCase>> Manifest = new(Load);

    /// <summary>Every case of the manifest, in its order.</summary>
    public static IReadOnlyList<CorpusCase> All => Manifest.Value;

    /// <summary>The case with id <paramref name="id"/>.</summary>
    public static CorpusCase Get(string id) => All.Single(c => c.Id == id);

    /// <summary>Whether the case is a table file.</summary>
    public bool IsTable => Format is "parquet" or "csv" or "json" or "ipc";

    /// <summary>The store's disk format for the case's format.</summary>
    public DiskFormat DiskFormat => Format switch
    {
        "parquet" => DiskFormat.Parquet,
        "csv" => DiskFormat.Csv,
        "json" => DiskFormat.Json,
        "ipc" => DiskFormat.Ipc,
        "npy" => DiskFormat.Npy,
        "npz" => DiskFormat.Npz,
        _ => DiskFormat.Zarr,
    };

    /// <inheritdoc />
    public override string ToString() => Id;

    private static List<CorpusCase> Load()
    {
        var file = Path.Combine(Readers.RepositoryRoot(), "tests", "fixtures", "corpus", "cases.json");
        using var document = JsonDocument.Parse(System.IO.File.ReadAllText(file));
        return
        [
            .. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new CorpusCase(
                c.GetProperty("id").GetString()!,
                c.GetProperty("tool").GetString()!,
                c.GetProperty("format").GetString()!,
                c.GetProperty("file").GetString()!,
                c.GetProperty("contains").GetString()!,
                c.GetProperty("expect").GetString()!,
                c.TryGetProperty("needs", out var needs) ? needs.GetString() : null,
                c.TryGetProperty("derive", out var derive) ? derive.GetProperty("from").GetString() : null,
                c.TryGetProperty("derive", out var codec) ? codec.GetProperty("codec").GetString() : null)),
        ];
    }
}
