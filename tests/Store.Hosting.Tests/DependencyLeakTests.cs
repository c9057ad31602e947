using System.Text.Json;
using Store.Interop.Tests;

namespace Store.Hosting.Tests;

/// <summary>
/// The store's dependencies stay its own: a project that references Store.Hosting (this one) compiles
/// against the store, Akka and Microsoft.Extensions only, not against what the SQL journal uses inside
/// (LanguageExt puts extension methods such as <c>Iter</c> and <c>Map</c> in the global namespace).
/// </summary>
public class DependencyLeakTests
{
    // Packages the journal (Akka.Persistence.Sql) needs at run time, which consumers must not compile against.
    private static readonly string[] Internal = ["LanguageExt.Core", "linq2db", "System.Linq.Async", "Akka.Persistence.Sql"];

    [Fact]
    public void ConsumerExtensions_NamedLikeLanguageExts_BindToTheConsumersOwn()
    {
        // Ambiguous (CS0121) while LanguageExt's global ListExtensions are visible: this file would not compile.
        var doubled = new[] { 1, 2, 3 }.Map(x => x * 2).ToList();
        var seen = new List<int>();
        doubled.Iter(seen.Add);

        Assert.Equal([2, 4, 6], seen);
        Assert.Equal(3, ConsumerSequenceExtensions.Calls);
    }

    [Fact]
    public async Task ConsumerAsyncLinq_BindsToDotNets()
    {
        // Ambiguous (CS0121) between .NET's System.Linq.AsyncEnumerable and System.Linq.Async's while the latter is visible.
        var large = await Numbers().Where(x => x > 1).ToListAsync();

        Assert.Equal([2, 3], large);
        Assert.Equal("System.Linq.AsyncEnumerable", typeof(AsyncEnumerable).Assembly.GetName().Name);
    }

    [Fact]
    public void CompileAssets_OfAProjectReferencingTheStore_IncludeNoneOfTheJournalsInternals()
    {
        var assets = Path.Combine(Readers.RepositoryRoot(), "tests", "Store.Hosting.Tests", "obj", "project.assets.json");
        using var document = JsonDocument.Parse(File.ReadAllText(assets));
        var target = document.RootElement.GetProperty("targets").EnumerateObject().Single(t => t.Name.StartsWith("net", StringComparison.Ordinal)).Value;
        var packages = target.EnumerateObject().ToDictionary(p => p.Name.Split('/')[0], p => p.Value, StringComparer.OrdinalIgnoreCase);

        foreach (var name in Internal)
        {
            Assert.True(packages.TryGetValue(name, out var package), $"{name} is not in the graph at all; the journal needs it at run time");
            Assert.Equal([], Assets(package, "compile"));
            Assert.NotEqual([], Assets(package, "runtime"));
        }

        // The store's own public surface still compiles: Akka and Store.Actors are there.
        Assert.NotEqual([], Assets(packages["Akka"], "compile"));
    }

    private static async IAsyncEnumerable<int> Numbers()
    {
        for (var i = 1; i <= 3; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    // Asset files of one kind, without NuGet's "_._" placeholder for "nothing".
    private static string[] Assets(JsonElement package, string kind) =>
        package.TryGetProperty(kind, out var files) ? [.. files.EnumerateObject().Select(f => f.Name).Where(f => !f.EndsWith("/_._", StringComparison.Ordinal))] : [];
}
