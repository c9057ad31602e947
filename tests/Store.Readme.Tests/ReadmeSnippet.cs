namespace Store.Readme.Tests;

/// <summary>One fenced code block of README.md.</summary>
/// <param name="Language">The fence's language tag (<c>csharp</c>, <c>python</c>, …), empty when it has none.</param>
/// <param name="Code">The block's lines, without the fences.</param>
/// <param name="Line">The line of README.md its opening fence is on (1-based), for messages.</param>
public sealed record ReadmeSnippet(string Language, string Code, int Line)
{
    /// <summary>The snippets of the README at the root of the checkout, in order.</summary>
    public static IReadOnlyList<ReadmeSnippet> All { get; } = Parse(File.ReadAllLines(Path.Combine(Store.Interop.Tests.Readers.RepositoryRoot(), "README.md")));

    /// <summary>The snippets in <paramref name="language"/>, in order.</summary>
    public static IReadOnlyList<ReadmeSnippet> In(string language) => [.. All.Where(s => s.Language == language)];

    /// <summary>The fenced blocks of a Markdown document.</summary>
    public static IReadOnlyList<ReadmeSnippet> Parse(IReadOnlyList<string> lines)
    {
        var snippets = new List<ReadmeSnippet>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Count && lines[i] != "```"; i++)
            {
                body.Add(lines[i]);
            }

            Assert.True(i < lines.Count, $"README.md line {start + 1}: the code fence is never closed");
            snippets.Add(new ReadmeSnippet(lines[start][3..].Trim(), string.Join('\n', body) + "\n", start + 1));
        }

        return snippets;
    }

    /// <summary>Where the snippet is, for test names and messages: <c>README.md:42 (csharp)</c>.</summary>
    public override string ToString() => $"README.md:{Line} ({Language})";
}
