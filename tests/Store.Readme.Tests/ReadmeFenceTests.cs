namespace Store.Readme.Tests;

/// <summary>
/// Every fenced block of the README says what it is, so that nothing a user may paste escapes the
/// snippet tests: code is <c>csharp</c>, <c>python</c>, <c>sql</c>, <c>js</c> or <c>bash</c> (commands),
/// and anything that is not code is marked <c>text</c>.
/// </summary>
public class ReadmeFenceTests
{
    [Fact]
    public void EveryFence_NamesAKnownLanguage()
    {
        string[] known = ["csharp", "python", "sql", "js", "bash", "text"];

        var unknown = ReadmeSnippet.All.Where(s => !known.Contains(s.Language)).Select(s => s.ToString()).ToList();

        Assert.True(unknown.Count == 0, "fences without a known language: " + string.Join(", ", unknown));
    }
}
