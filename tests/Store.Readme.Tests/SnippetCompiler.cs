using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Store.Readme.Tests;

/// <summary>
/// Compiles a C# snippet as a program of its own, the way a console project (<c>dotnet new
/// console</c>: nullable on, the default implicit usings) that references Store.Hosting would: the
/// snippet's own <c>using</c> lines must bring in everything else. References are every assembly this
/// test process was given (the store's and their dependencies).
/// </summary>
public static class SnippetCompiler
{
    // What Microsoft.NET.Sdk adds as global usings with ImplicitUsings enabled.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))]);

    /// <summary>The snippet as a compiled program, or a failed assertion listing every error and warning.</summary>
    public static byte[] Compile(ReadmeSnippet snippet)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            $"Snippet{snippet.Line}",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.cs"), CSharpSyntaxTree.ParseText(snippet.Code, parse, $"README.md:{snippet.Line}")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                // As the SDK does: assembly version unification notes are not warnings.
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));

        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(
            result.Success && problems.Count == 0,
            $"{snippet} does not compile as shown (line numbers count from the line after the fence):\n" + string.Join('\n', problems));
        return image.ToArray();
    }

    /// <summary>
    /// Runs a compiled snippet's entry point in a collectible load context, with the current directory
    /// set to <paramref name="workingDirectory"/> (snippets write relative paths, as a user's program would).
    /// </summary>
    public static async Task RunAsync(byte[] image, string workingDirectory)
    {
        var context = new AssemblyLoadContext("snippet", isCollectible: true);
        var previous = Environment.CurrentDirectory;
        Directory.CreateDirectory(workingDirectory);
        Environment.CurrentDirectory = workingDirectory;
        try
        {
            var entry = context.LoadFromStream(new MemoryStream(image)).EntryPoint!;
            var result = entry.Invoke(null, entry.GetParameters().Length == 0 ? [] : [Array.Empty<string>()]);
            if (result is Task task)
            {
                await task.WaitAsync(TimeSpan.FromMinutes(2));
            }
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            context.Unload();
        }
    }
}
