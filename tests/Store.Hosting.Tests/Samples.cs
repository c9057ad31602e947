using System.Diagnostics;
using Store.Interop.Tests;

namespace Store.Hosting.Tests;

/// <summary>Runs the sample programs (built with the tests, see the project file) as child processes.</summary>
public static class Samples
{
    /// <summary>Runs sample <paramref name="name"/> to completion and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string name, params string[] arguments) => RunIn(null, name, arguments);

    /// <summary>Runs sample <paramref name="name"/> to completion in <paramref name="workingDirectory"/> (null: this process's).</summary>
    public static (int ExitCode, string Output) RunIn(string? workingDirectory, string name, params string[] arguments)
    {
        using var process = Start(name, arguments, workingDirectory);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{name} did not finish within 3 minutes");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Starts sample <paramref name="name"/> with its output redirected.</summary>
    public static Process Start(string name, params string[] arguments) => Start(name, arguments, null);

    /// <summary>Starts sample <paramref name="name"/> in <paramref name="workingDirectory"/> (null: this process's) with its output redirected.</summary>
    public static Process Start(string name, string[] arguments, string? workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? "" };
        start.ArgumentList.Add(Dll(name));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>Where sample <paramref name="name"/> is built for this test run.</summary>
    public static string Dll(string name)
    {
        // Built next to its project: samples/<name>/bin/<configuration>/<tfm>/<name>.dll.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);
        var dll = Path.Combine(Readers.RepositoryRoot(), "samples", name, "bin", testOutput.Parent!.Name, testOutput.Name, name + ".dll");
        Assert.True(File.Exists(dll), $"the {name} sample is not built at {dll}");
        return dll;
    }
}
