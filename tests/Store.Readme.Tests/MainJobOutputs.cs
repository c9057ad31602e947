using System.Text.RegularExpressions;
using Store.Core.Tests;
using Store.Interop.Tests;

namespace Store.Readme.Tests;

/// <summary>
/// The output folders the README's reader snippets name. A snippet says which run of the main job it
/// reads with a comment such as <c># --out /tmp/sim-npy --array-format npy</c>; the first time a folder
/// is asked for, the Simulation sample runs with exactly those options (the folder mapped into a
/// temporary one) plus small sizes (<see cref="SmallRun"/>), so that the snippet reads what that
/// command writes.
/// </summary>
public sealed partial class MainJobOutputs : IDisposable
{
    /// <summary>Added to every run unless the snippet gives them: the formats are the README's, the sizes the test's.</summary>
    public static readonly string[] SmallRun = ["--runs", "2", "--frames", "12", "--atoms", "32", "--flush-every", "5"];

    private readonly TempFolder _temp = new();
    private readonly Dictionary<string, (string Options, string Folder)> _runs = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="code"/> with every output folder it names replaced by the folder of its run,
    /// running the main job first for folders not run yet.
    /// </summary>
    public string Prepare(ReadmeSnippet snippet)
    {
        var runs = OutRun().Matches(snippet.Code).Select(m => (Out: m.Groups["out"].Value, Options: m.Groups["options"].Value.Trim())).Distinct().ToList();
        foreach (var named in OutputFolder().Matches(snippet.Code).Select(m => m.Value).Distinct())
        {
            Assert.True(runs.Any(r => r.Out == named), $"{snippet} reads {named} but names no run of the main job for it (a comment '--out {named} …')");
        }

        var code = snippet.Code;
        foreach (var (folder, options) in runs.OrderByDescending(r => r.Out.Length))
        {
            code = Regex.Replace(code, Regex.Escape(folder) + @"(?=[/""'\s]|$)", Run(snippet, folder, options).Replace("$", "$$", StringComparison.Ordinal));
        }

        return code;
    }

    private string Run(ReadmeSnippet snippet, string folder, string options)
    {
        lock (_runs)
        {
            if (_runs.TryGetValue(folder, out var done))
            {
                Assert.True(done.Options == options, $"{snippet}: {folder} is named with '{options}' here and '{done.Options}' elsewhere; one folder holds one run");
                return done.Folder;
            }

            var output = _temp.Sub(Path.GetFileName(folder));
            var given = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var arguments = new List<string> { Simulation(), "--out", output };
            arguments.AddRange(given);
            for (var i = 0; i < SmallRun.Length; i += 2)
            {
                if (!given.Contains(SmallRun[i]))
                {
                    arguments.AddRange(SmallRun[i..(i + 2)]);
                }
            }

            var (exitCode, text) = ChildProcess.Run("dotnet", arguments);
            Assert.True(exitCode == 0, $"{snippet}: the main job with '--out {folder} {options}' exited with {exitCode}:\n{text}");
            _runs[folder] = (options, output);
            return output;
        }
    }

    // Built next to its project (see the project file): samples/Simulation/bin/<configuration>/<tfm>/Simulation.dll.
    private static string Simulation()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(Readers.RepositoryRoot(), "samples", "Simulation", "bin", testOutput.Parent!.Name, testOutput.Name, "Simulation.dll");
        Assert.True(File.Exists(dll), $"the Simulation sample is not built at {dll}");
        return dll;
    }

    /// <inheritdoc />
    public void Dispose() => _temp.Dispose();

    // "--out /tmp/x" and the options after it, up to the end of the line.
    [GeneratedRegex(@"--out\s+(?<out>/tmp/sim[\w-]*)(?<options>(?:[ \t]+--[a-z-]+(?:[ \t]+[^\s-]\S*)?)*)")]
    private static partial Regex OutRun();

    // Every output folder a snippet reads.
    [GeneratedRegex(@"/tmp/sim[\w-]*(?=[/""'\s]|$)")]
    private static partial Regex OutputFolder();
}
