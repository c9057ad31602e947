using System.Collections.Concurrent;

namespace Store.Actors.Tests;

/// <summary>
/// The budget admits every command exactly once, in each caller's order, when answers free room on
/// other threads at the same time as callers ask for it: a release that finds no one waiting takes
/// no lock, so a caller that starts to wait just then must still be admitted.
/// </summary>
public class BufferBudgetTests
{
    private const int Callers = 4;
    private const int CommandsPerCaller = 20_000;
    private const long CommandBytes = 300;

    [Theory]
    [InlineData(1_000, 1_000)] // bytes run out after three commands
    [InlineData(1_000_000_000, 2)] // commands run out after two
    public async Task Admit_WhileOtherThreadsComplete_SendsEveryCommandOnce_InEachCallersOrder_AndFreesEverything(long limit, int maxCommands)
    {
        var budget = new BufferBudget(limit, maxCommands);
        var sent = new BlockingCollection<(int Caller, int Sequence)>();
        var lastSent = Enumerable.Repeat(-1, Callers).ToArray();
        var outOfOrder = 0;
        Action<object> send = state =>
        {
            var (caller, sequence) = ((int, int))state;
            if (Interlocked.Exchange(ref lastSent[caller], sequence) != sequence - 1)
            {
                Interlocked.Increment(ref outOfOrder);
            }

            sent.Add((caller, sequence));
        };

        // Two threads answer what was sent, one command at a time (as replies free room).
        var answered = 0;
        var answerers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            foreach (var _ in sent.GetConsumingEnumerable())
            {
                budget.Complete(CommandBytes);
                Interlocked.Increment(ref answered);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Factory.StartNew(() =>
        {
            for (var sequence = 0; sequence < CommandsPerCaller; sequence++)
            {
                // A caller issues its next command only once the last one left (as a producer awaiting each append would, at worst).
                while (Volatile.Read(ref lastSent[caller]) < sequence - 1)
                {
                    Thread.Yield();
                }

                budget.Admit(CommandBytes, send, (caller, sequence));
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        var finished = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => t.IsCompletedSuccessfully);
        var total = Callers * CommandsPerCaller;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Volatile.Read(ref answered) < total && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        sent.CompleteAdding();
        await Task.WhenAll(answerers).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(finished, "the callers did not get all their commands admitted within a minute");
        Assert.Equal(total, answered); // a command left waiting would never be sent, and never answered
        Assert.Equal(0, outOfOrder);
        Assert.All(lastSent, last => Assert.Equal(CommandsPerCaller - 1, last));
        Assert.Equal(0, budget.Used);
        Assert.False(budget.HasWaiters);
    }
}
