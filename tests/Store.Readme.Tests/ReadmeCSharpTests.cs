using Store.Core.Tests;

namespace Store.Readme.Tests;

/// <summary>
/// Every <c>```csharp</c> block of the README is a whole program that compiles as shown, with its own
/// <c>using</c> lines (see <see cref="SnippetCompiler"/>), and runs without an error unless it starts a
/// host (which runs until it is stopped).
/// </summary>
public class ReadmeCSharpTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<int, string> Snippets()
    {
        var data = new TheoryData<int, string>();
        var snippets = ReadmeSnippet.In("csharp");
        for (var i = 0; i < snippets.Count; i++)
        {
            data.Add(i, snippets[i].ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public async Task Snippet_AsShown_CompilesAndRuns(int index, string where)
    {
        var snippet = ReadmeSnippet.In("csharp")[index];
        Assert.Equal(where, snippet.ToString());

        var image = SnippetCompiler.Compile(snippet);

        if (!snippet.Code.Contains(".RunAsync()", StringComparison.Ordinal))
        {
            await SnippetCompiler.RunAsync(image, _temp.Path);
        }
    }
}
