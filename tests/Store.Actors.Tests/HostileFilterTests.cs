using System.Text;
using Store.Core;
using Store.Core.Tables;

namespace Store.Actors.Tests;

/// <summary>A filter a caller passes to <see cref="TableActorStore.QueryAsync"/> may be refused, never crash the process.</summary>
public class HostileFilterTests
{
    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    // Named cases (the filters themselves would make test names of megabytes).
    private static string Filter(string name) => name switch
    {
        "20k nots" => Repeat("not ", 20_000) + "x > 0",
        "50k parentheses" => Repeat("(", 50_000) + "x > 0" + Repeat(")", 50_000),
        "20k parentheses" => Repeat("(", 20_000) + "x > 0" + Repeat(")", 20_000),
        "16k nots" => Repeat("not ", 16_000) + "x > 0",
        "1M spaces" => "x > 0" + new string(' ', 1_000_000),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [InlineData("20k nots")]
    [InlineData("50k parentheses")]
    [InlineData("20k parentheses")]
    [InlineData("16k nots")]
    [InlineData("1M spaces")]
    public async Task QueryAsync_HostileFilter_ThrowsFilterExceptionAndTheStoreKeepsServing(string name)
    {
        var filter = Filter(name);
        await using var store = TableActorStore.Open(new ActorStoreOptions { DiskFormat = DiskFormat.None });
        await store.AppendAsync("t", Table.FromColumns(("x", TableColumn.Of<long>([-1L, 0, 1, 2]))));

        var error = await Assert.ThrowsAsync<FilterException>(() => store.QueryAsync("t", filter: filter).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(error.Message.Length < 1_000, "the message must not echo the whole filter");

        var kept = await store.QueryAsync("t", filter: "x > 0");
        Assert.Equal([1L, 2L], kept!.Values<long>("x").Select(v => v!.Value));
        Assert.Equal(new IndexRange(4, 1), await store.AppendAsync("t", Table.FromColumns(("x", TableColumn.Of<long>([3L])))));
    }
}
