using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;

namespace Store.Interop.Tests.Corpus;

/// <summary>
/// The corpus files, made once per test run into a temporary folder by the tools themselves
/// (tests/fixtures/corpus/make_corpus.mjs: DuckDB and apache-arrow; make_corpus.py: numpy and
/// zarr-python), with what each tool's reader sees; plus the IPC files the test compresses itself.
/// Each case's outcome is worked out once and shared by its theory row and the summary.
/// </summary>
public sealed class CorpusFiles : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<CorpusOutcome>> _outcomes = new();

    /// <summary>Runs both generators (about 2 s together).</summary>
    public CorpusFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "store-corpus", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        var fixtures = Path.Combine(Readers.RepositoryRoot(), "tests", "fixtures", "corpus");
        var node = Task.Run(() => Run("node", Path.Combine(fixtures, "make_corpus.mjs"), Root));
        var python = Task.Run(() => Run("/usr/bin/python3", Path.Combine(fixtures, "make_corpus.py"), Root));
        Task.WaitAll(node, python);
        Tables = Load("node.json");
        Arrays = Load("python.json");
        foreach (var derived in CorpusCase.All.Where(c => c.DeriveFrom is not null))
        {
            Compress(derived);
        }
    }

    /// <summary>The folder holding one sub-folder per case.</summary>
    public string Root { get; }

    /// <summary>Per table case: what DuckDB or apache-arrow read (columns and canonical rows).</summary>
    public IReadOnlyDictionary<string, JsonElement> Tables { get; }

    /// <summary>Per array case: each entry as numpy or zarr-python read it (dtype, shape, sha256).</summary>
    public IReadOnlyDictionary<string, JsonElement> Arrays { get; }

    /// <summary>The case's outcome, worked out on first use.</summary>
    public CorpusOutcome OutcomeOf(CorpusCase corpusCase) =>
        _outcomes.GetOrAdd(corpusCase.Id, _ => new Lazy<CorpusOutcome>(() => CorpusCheck.Run(corpusCase, this))).Value;

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder; nothing depends on its removal.
        }
    }

    private Dictionary<string, JsonElement> Load(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, name)));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    // Apache-arrow (JS) has no LZ4 or ZSTD codec of its own, so its file is rewritten with compressed buffers here.
    private void Compress(CorpusCase derived)
    {
        var source = Path.Combine(Root, derived.DeriveFrom!, "t.arrow");
        var folder = Path.Combine(Root, derived.Id);
        Directory.CreateDirectory(folder);
        using var input = File.OpenRead(source);
        using var reader = new ArrowFileReader(input);
        var batches = new List<RecordBatch>();
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            batches.Add(batch);
        }

        var options = new IpcOptions
        {
            CompressionCodec = derived.DeriveCodec == "lz4" ? CompressionCodecType.Lz4Frame : CompressionCodecType.Zstd,
            CompressionCodecFactory = new CompressionCodecFactory(),
        };
        using (var output = File.Create(Path.Combine(folder, "t.arrow")))
        using (var writer = new ArrowFileWriter(output, reader.Schema, leaveOpen: false, options))
        {
            foreach (var batch in batches)
            {
                writer.WriteRecordBatch(batch);
            }

            writer.WriteEnd();
        }

        ((Dictionary<string, JsonElement>)Tables)[derived.Id] = Tables[derived.DeriveFrom!];
    }

    private static void Run(string program, string script, string output)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(output);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within 120 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {script} exited with {process.ExitCode}:\n{stderr.Result}{stdout.Result}");
        }
    }
}
