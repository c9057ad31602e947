using System.Globalization;
using System.Runtime;

namespace Store.Benchmarks;

/// <summary>
/// Warm-up that ends when the runtime's compiler has little left to do. A process runs cold at first:
/// the runtime compiles each method quickly, then again, optimised, once it has been called often
/// (tiered compilation), and its compiler thread competes with the code being measured meanwhile.
/// The store's code (and remoting's, in a cluster) reaches that point only over several passes, so
/// one small pass leaves the measured reps paying the compiler, which a long-running job pays once.
/// </summary>
internal static class WarmUpRounds
{
    /// <summary>
    /// Runs <paramref name="round"/> (one pass of every side; it returns the milliseconds of compilation
    /// that count, or null to count the whole round's) until two rounds in a row compile for less than
    /// <paramref name="steadyMilliseconds"/> (one quiet round can be luck: the compiler's thread
    /// promotes methods in bursts), at most <paramref name="maxRounds"/> times; prints each round.
    /// </summary>
    public static async Task RunAsync(int maxRounds, double steadyMilliseconds, Func<Task<double?>> round)
    {
        var quiet = 0;
        for (var number = 1; number <= maxRounds; number++)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            var jit = JitInfo.GetCompilationTime();
            var counted = await round().ConfigureAwait(false);
            var roundJit = (JitInfo.GetCompilationTime() - jit).TotalMilliseconds;
            var measured = counted ?? roundJit;
            Console.WriteLine(
                $"  warm-up round {number}: {JitInfo.GetCompiledMethodCount() - compiled} methods compiled, {roundJit.ToString("N0", CultureInfo.InvariantCulture)} ms of compilation" +
                (counted is null ? "" : $" ({measured.ToString("N0", CultureInfo.InvariantCulture)} ms while appending)"));
            quiet = measured < steadyMilliseconds ? quiet + 1 : 0;
            if (quiet == 2)
            {
                return;
            }
        }
    }
}
