using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Store.Interop.Tests.Corpus;

/// <summary>
/// The interop corpus (issue 13): files DuckDB, apache-arrow, numpy and zarr-python wrote, one
/// theory per format. Each file ends in exactly one of "read equal" (the store's values equal the
/// tool's own reader's) or "refused clearly" (a StoreException naming the file), and the one the
/// manifest expects; anything else is "wrong" and fails. <see cref="Summary_EveryFormat_NoFileReadWrong"/>
/// prints the per-format table. Runs under any time zone (test.sh runs it again under Asia/Kolkata).
/// </summary>
[Trait("TimeZone", "any")]
public class CorpusTests(CorpusFiles files, ITestOutputHelper output) : IClassFixture<CorpusFiles>
{
    /// <summary>
    /// Work other branches do that some cases need (the manifest's <c>needs</c>). Until it is merged
    /// those cases are skipped with a message naming it; after the merge remove its line here.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Pending = new Dictionary<string, string>
    {
    };

    public static TheoryData<string> Parquet => Of("parquet");

    public static TheoryData<string> Csv => Of("csv");

    public static TheoryData<string> JsonLines => Of("json");

    public static TheoryData<string> Ipc => Of("ipc");

    public static TheoryData<string> Npy => Of("npy");

    public static TheoryData<string> Npz => Of("npz");

    public static TheoryData<string> Zarr => Of("zarr");

    /// <summary>Why a case is skipped on this branch, or null.</summary>
    public static string? SkipReason(CorpusCase corpusCase) =>
        corpusCase.Needs is { } needs && Pending.TryGetValue(needs, out var why) ? $"pending '{needs}': {why}" : null;

    [CorpusTheory]
    [MemberData(nameof(Parquet))]
    public void Read_ParquetFromDuckDb_ReadEqualOrRefusedClearly(string id) => Check(id);

    [CorpusTheory]
    [MemberData(nameof(Csv))]
    public void Read_CsvFromDuckDb_ReadEqualOrRefusedClearly(string id) => Check(id);

    [CorpusTheory]
    [MemberData(nameof(JsonLines))]
    public void Read_JsonLinesFromDuckDb_ReadEqualOrRefusedClearly(string id) => Check(id);

    [CorpusTheory]
    [MemberData(nameof(Ipc))]
    public void Read_ArrowIpcFromApacheArrow_ReadEqualOrRefusedClearly(string id) => Check(id);

    [CorpusTheory]
    [MemberData(nameof(Npy))]
    public void Read_NpyFromNumpy_ReadEqualOrRefusedClearly(string id) => Check(id);

    [CorpusTheory]
    [MemberData(nameof(Npz))]
    public void Read_NpzFromNumpy_ReadEqualOrRefusedClearly(string id) => Check(id);

    [CorpusTheory]
    [MemberData(nameof(Zarr))]
    public void Read_ZarrFromZarrPython_ReadEqualOrRefusedClearly(string id) => Check(id);

    [Fact]
    public void Summary_EveryFormat_NoFileReadWrong()
    {
        var table = new StringBuilder();
        var zone = Environment.GetEnvironmentVariable("TZ") ?? TimeZoneInfo.Local.Id;
        table.AppendLine(CultureInfo.InvariantCulture, $"Interop corpus (time zone {zone}):");
        table.AppendLine("| format | files tried | read equal | refused clearly | wrong | skipped (pending) |");
        table.AppendLine("|---|---|---|---|---|---|");
        var wrong = new List<string>();
        foreach (var format in CorpusCase.All.Select(c => c.Format).Distinct())
        {
            var cases = CorpusCase.All.Where(c => c.Format == format).ToList();
            var skipped = cases.Where(c => SkipReason(c) is not null).ToList();
            var outcomes = cases.Except(skipped).Select(c => (Case: c, Outcome: files.OutcomeOf(c))).ToList();
            wrong.AddRange(outcomes.Where(o => o.Outcome.Kind == CorpusOutcome.Wrong).Select(o => $"{o.Case.Id}: {o.Outcome.Detail}"));
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {format} | {outcomes.Count} | {outcomes.Count(o => o.Outcome.Kind == CorpusOutcome.ReadEqual)} | " +
                $"{outcomes.Count(o => o.Outcome.Kind == CorpusOutcome.RefusedClearly)} | {outcomes.Count(o => o.Outcome.Kind == CorpusOutcome.Wrong)} | " +
                $"{(skipped.Count == 0 ? "0" : $"{skipped.Count}: " + string.Join(", ", skipped.Select(c => $"{c.Id} ({c.Needs})")))} |");
        }

        output.WriteLine(table.ToString());
        Console.WriteLine(table.ToString());
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, $"corpus-summary-{zone.Replace('/', '-')}.md"), table.ToString());
        Assert.True(wrong.Count == 0, "Files read wrong:\n" + string.Join("\n", wrong));
    }

    private static TheoryData<string> Of(string format) => [.. CorpusCase.All.Where(c => c.Format == format).Select(c => c.Id)];

    private void Check(string id)
    {
        var corpusCase = CorpusCase.Get(id);
        var outcome = files.OutcomeOf(corpusCase);
        output.WriteLine($"{id} ({corpusCase.Tool}: {corpusCase.Contains}): {outcome.Kind} {outcome.Detail}");
        Assert.True(outcome.Kind != CorpusOutcome.Wrong, $"{id} ({corpusCase.Contains}) read wrong: {outcome.Detail}");
        var expected = corpusCase.Expect == "read" ? CorpusOutcome.ReadEqual : CorpusOutcome.RefusedClearly;
        Assert.True(outcome.Kind == expected, $"{id} ({corpusCase.Contains}): expected {expected}, was {outcome.Kind}: {outcome.Detail}");
    }
}
