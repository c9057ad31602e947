using Store.Actors.CrashWorker;
using Store.Actors.Tests.Crash;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tests;

namespace Store.Actors.Tests;

/// <summary>
/// Another process writing a root: a second writer (in-process store or actor store) is refused
/// naming that process, and once it dies (SIGKILL) the root opens at once, with every acknowledged
/// append recovered, so a crashed run can resume.
/// </summary>
public class SecondWriterTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Open_WhileAnotherProcessWrites_IsRefusedNamingIt_AndOpensOnceItDies()
    {
        var error = default(StoreLockedException);
        var actorError = default(StoreLockedException);
        var run = await CrashWorkerProcess.Run(_temp.Path, "npy", run: 1, appendsPerFlush: 10, maxAcks: 1_000_000, crashPoint: null,
            killWhen: async signals =>
            {
                await signals.Acks(20);
                error = Assert.Throws<StoreLockedException>(() => new ArrayStore(_temp.Path, "a"));
                actorError = Assert.Throws<StoreLockedException>(() => ArrayActorStore.Open(CrashFormat.Options(_temp.Path, "npy")));
                using var reader = new ArrayStore(_temp.Path, "r");
                Assert.Equal(["data/frames"], reader.Available());
            });

        Assert.True(run.Killed);
        Assert.Matches(@"process \d+ on host .+ since 20\d\d-\d\d-\d\dT", error!.Message);
        Assert.DoesNotContain("this process", error.Message);
        Assert.Contains(_temp.Path, actorError!.Message);

        var acknowledged = new CrashVerifier.Acknowledged();
        acknowledged.Add(run.Acks);
        Assert.True(await CrashVerifier.Recovered(_temp.Path, "npy", acknowledged, "after the holder was killed") >= run.Acks.Count);
    }
}
