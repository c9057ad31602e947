using Store.Actors.CrashWorker;
using Store.Core.Tests;
using Xunit.Abstractions;

namespace Store.Actors.Tests.Crash;

/// <summary>
/// The crash worker is killed with SIGKILL from outside at random moments (after a random number of
/// acknowledgements, or a few milliseconds after a flush starts), three times per format on one root.
/// After each kill every acknowledged append is there exactly once at its range and the files open
/// in their reference reader.
/// </summary>
public class RandomCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int KillsPerFormat = 3;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Formats => [.. CrashFormat.All];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Sigkill_AtRandomMomentsAndDuringFlushes_LosesNoAcknowledgedAppendAndDuplicatesNone(string format)
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var acknowledged = new CrashVerifier.Acknowledged();
        for (var run = 1; run <= KillsPerFormat; run++)
        {
            var duringFlush = run % 2 == 0;
            var target = random.Next(20, 400);
            var delay = random.Next(0, 15);
            var result = await CrashWorkerProcess.Run(_temp.Path, format, run, appendsPerFlush: 10, maxAcks: 100_000, crashPoint: null,
                killWhen: async signals =>
                {
                    if (duringFlush)
                    {
                        await signals.Flushing;
                        await Task.Delay(delay);
                    }
                    else
                    {
                        await signals.Acks(target);
                    }
                });
            var moment = duringFlush ? $"{delay} ms after a flush started" : $"after {target} acknowledgements";
            var context = $"{format}, run {run}, killed {moment} (seed {seed})";
            Assert.True(result.Killed, $"{context}: the worker ended before the kill (exit {result.ExitCode}):\n{result.Stderr}");
            Assert.True(result.Acks.Count > 0, $"{context}: nothing was acknowledged");
            acknowledged.Add(result.Acks);
            CrashVerifier.FilesReadableAfterCrash(_temp.Path, format, context);
            var rows = await CrashVerifier.Recovered(_temp.Path, format, acknowledged, context);
            output.WriteLine($"{context}: {result.Acks.Count} acknowledged this run, {acknowledged.Count} in all checked once at their ranges, 0 lost, 0 duplicated; {rows} rows");
        }
    }
}
