using System.Diagnostics;

namespace Store.Core.Tests;

/// <summary>Runs Debian's numpy (<c>/usr/bin/python3</c>, installed by test.sh) on a script and returns its stdout.</summary>
public static class Numpy
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/> as sys.argv[1:]; fails the test on a python error.</summary>
    public static string Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import numpy as np, json, sys, hashlib\n" + script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("python timed out after 120 s");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"python exited with {process.ExitCode}:\n{stderr.Result}");
        }

        return stdout.Result;
    }
}
