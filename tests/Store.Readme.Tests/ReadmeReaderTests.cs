using System.Text.Json;
using Store.Interop.Tests;

namespace Store.Readme.Tests;

/// <summary>
/// Every <c>```python</c>, <c>```sql</c> and <c>```js</c> block of the README runs as shown on the
/// machine test.sh sets up, against the output of the main job runs it names (see
/// <see cref="MainJobOutputs"/>): Python as Debian's <c>/usr/bin/python3</c> (numpy, zarr-python 2.13),
/// SQL statement by statement in DuckDB and JavaScript in Node.js, both with the npm packages of
/// tests/interop.
/// </summary>
public class ReadmeReaderTests(MainJobOutputs outputs) : IClassFixture<MainJobOutputs>
{
    private static readonly string Interop = Path.Combine(Readers.RepositoryRoot(), "tests", "interop");

    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var language in new[] { "python", "sql", "js" })
        {
            for (var i = 0; i < ReadmeSnippet.In(language).Count; i++)
            {
                data.Add(language, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_AgainstTheMainJobsItNames_Runs(string language, int index)
    {
        var snippet = ReadmeSnippet.In(language)[index];
        var code = outputs.Prepare(snippet);

        switch (language)
        {
            case "python":
                var script = Path.Combine(Path.GetTempPath(), $"store-readme-{Guid.NewGuid():N}.py");
                File.WriteAllText(script, code);
                try
                {
                    Succeeds(snippet, ChildProcess.Run("/usr/bin/python3", [script]));
                }
                finally
                {
                    File.Delete(script);
                }

                break;
            case "js":
                // Module code from standard input resolves its imports from the working directory's node_modules.
                Succeeds(snippet, ChildProcess.Run("node", ["--input-type=module"], Interop, code));
                break;
            case "sql":
                foreach (var statement in code.Split('\n').Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
                {
                    var (exitCode, output) = ChildProcess.Run("node", [Path.Combine(Interop, "read.mjs"), "duckdb-sql", statement]);
                    Assert.True(exitCode == 0, $"{snippet}: DuckDB refused\n{statement}\n{output}");
                    var rows = JsonDocument.Parse(output).RootElement.GetProperty("rows").GetArrayLength();
                    Assert.True(rows > 0, $"{snippet}: no rows from\n{statement}");
                }

                break;
        }
    }

    private static void Succeeds(ReadmeSnippet snippet, (int ExitCode, string Output) run) =>
        Assert.True(run.ExitCode == 0, $"{snippet} failed with exit code {run.ExitCode}:\n{run.Output}");
}
