using System.Text;
using Store.Core.Tables;
using Store.Core.Tables.Filters;

namespace Store.Core.Tests;

/// <summary>
/// Hostile filters (deep nesting, huge texts, long chains) are refused with a
/// <see cref="FilterException"/> or evaluated correctly; none may overflow the stack.
/// The documented limits are 256 levels of parentheses and <c>not</c>, and 65,536 characters.
/// </summary>
public class FilterLimitsTests
{
    private const int Rows = 10_000;

    private static TableStore StoreWithRows()
    {
        var store = new TableStore("", "w", DiskFormat.None);
        store.Append("t", Table.FromColumns(("x", TableColumn.Of<long>([.. Enumerable.Range(0, Rows).Select(i => (long)i)]))));
        return store;
    }

    private static long[] Xs(Table table) => table.Values<long>("x").Select(v => v!.Value).ToArray();

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    [Theory]
    [InlineData("not ", 16_000, "")]
    [InlineData("(", 20_000, ")")]
    [InlineData("not (", 10_000, ")")]
    public void Query_NestingDeeperThanTheLimit_ThrowsFilterExceptionNamingTheLimit(string open, int levels, string close)
    {
        using var store = StoreWithRows();
        var filter = Repeat(open, levels) + "x > 0" + Repeat(close, levels);
        Assert.True(filter.Length <= 65_536, "this case must hit the depth limit, not the length limit");

        var error = Assert.Throws<FilterException>(() => store.Query("t", filter: filter));
        Assert.Contains("256", error.Message);
        Assert.Contains("nest", error.Message);
        Assert.NotNull(error.Position);
        Assert.True(error.Message.Length < 1_000, "the message must not echo the whole filter");
    }

    [Theory]
    [InlineData("not ", 20_000, "")]
    [InlineData("(", 50_000, ")")]
    public void Query_NestedFilterLongerThanTheLimit_ThrowsFilterExceptionNamingTheLimit(string open, int levels, string close)
    {
        using var store = StoreWithRows();
        var filter = Repeat(open, levels) + "x > 0" + Repeat(close, levels);
        var error = Assert.Throws<FilterException>(() => store.Query("t", filter: filter));
        Assert.Contains("65536", error.Message);
    }

    [Fact]
    public void Query_NestingAtTheLimit_IsEvaluated()
    {
        using var store = StoreWithRows();

        // 256 nots: an even number, so the same rows as the innermost comparison.
        Assert.Equal(Enumerable.Range(5, Rows - 5).Select(i => (long)i), Xs(store.Query("t", filter: Repeat("not ", 256) + "x >= 5")!));

        // 255 parentheses around one not: 256 levels; the rows where x >= 5 does not hold.
        var parens = Repeat("(", 255) + "not x >= 5" + Repeat(")", 255);
        Assert.Equal([0L, 1, 2, 3, 4], Xs(store.Query("t", filter: parens)!));

        Assert.Throws<FilterException>(() => store.Query("t", filter: "(" + parens + ")"));
        Assert.Throws<FilterException>(() => store.Query("t", filter: Repeat("not ", 257) + "x >= 5"));
    }

    [Fact]
    public void Query_FilterLongerThanTheLimit_ThrowsFilterExceptionNamingTheLimit()
    {
        using var store = StoreWithRows();
        var atLimit = "x < 3" + new string(' ', 65_536 - 5);
        Assert.Equal([0L, 1, 2], Xs(store.Query("t", filter: atLimit)!));

        var error = Assert.Throws<FilterException>(() => store.Query("t", filter: atLimit + " "));
        Assert.Contains("65537", error.Message);
        Assert.Contains("65536", error.Message);
        Assert.True(error.Message.Length < 1_000, "the message must not echo the whole filter");
    }

    [Fact]
    public void Query_LongestAndChain_KeepsOnlyRowsPassingEveryTerm()
    {
        using var store = StoreWithRows();
        var filter = new StringBuilder("x != 0");
        var excluded = 1;
        while (filter.Length + $" and x != {excluded}".Length <= 65_536)
        {
            filter.Append($" and x != {excluded++}");
        }

        Assert.True(excluded > 4_000);
        Assert.Equal(Enumerable.Range(excluded, Rows - excluded).Select(i => (long)i), Xs(store.Query("t", filter: filter.ToString())!));
    }

    [Fact]
    public void Query_LongestOrChain_KeepsRowsPassingAnyTerm()
    {
        using var store = StoreWithRows();
        var filter = new StringBuilder("x==0");
        var included = 1;
        while (filter.Length + $" or x=={included}".Length <= 65_536)
        {
            filter.Append($" or x=={included++}");
        }

        Assert.True(included > 5_000);
        Assert.Equal(Enumerable.Range(0, included).Select(i => (long)i), Xs(store.Query("t", filter: filter.ToString())!));
    }

    public static TheoryData<string, bool> Chains => new()
    {
        { "and", true },
        { "and", false },
        { "or", true },
        { "or", false },
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public void Evaluate_HundredThousandTermChain_DoesNotOverflow(string op, bool leftLeaning)
    {
        // Term k is "x != k" for and (rows above the chain's length stay), "x == k" for or (rows in it stay).
        const int terms = 100_000;
        long[] xs = [0, 5, terms - 1, terms, terms + 50_000];
        var table = Table.FromColumns(("x", TableColumn.Of<long>(xs)));
        FilterExpression Term(int k) => new FilterExpression.Comparison("x", op == "and" ? "!=" : "==", new FilterLiteral(k, null, null, 0), 0);
        FilterExpression Join(FilterExpression a, FilterExpression b) => op == "and" ? new FilterExpression.And(a, b) : new FilterExpression.Or(a, b);

        var tree = Term(leftLeaning ? 0 : terms - 1);
        for (var k = 1; k < terms; k++)
        {
            tree = leftLeaning ? Join(tree, Term(k)) : Join(Term(terms - 1 - k), tree);
        }

        var mask = FilterEvaluator.Evaluate(tree, table, "t");
        Assert.Equal(xs.Select(x => op == "and" ? x >= terms : x < terms), mask);
    }

    [Fact]
    public void Evaluate_HundredThousandNots_DoesNotOverflow()
    {
        var table = Table.FromColumns(("x", TableColumn.Of<long>([0L, 1, 2])));
        FilterExpression tree = new FilterExpression.Comparison("x", ">", new FilterLiteral(0, null, null, 0), 0);
        for (var k = 0; k < 100_001; k++)
        {
            tree = new FilterExpression.Not(tree);
        }

        Assert.Equal([true, false, false], FilterEvaluator.Evaluate(tree, table, "t"));
    }
}
