using Store.Core.Tables;
using Store.Core.Tables.Filters;

namespace Store.Core.Tests;

public class FilterLanguageTests
{
    // Rows 0..5; row 4 has nulls in potential, flag and ens_id.
    private static readonly Table Energies = Table.FromColumns(
        ("ens_id", TableColumn.Of(["e1", "e1", "e2", "e2", null, "e10"])),
        ("run_id", TableColumn.Of(["r0", "r1", "r0", "r1", "r0", "r1"])),
        ("micro_id", TableColumn.Of<long>([0L, 1, 2, 3, 4, 5])),
        ("potential", TableColumn.Of<double>([-1.5, 0.0, 2.5, 10.0, null, -3.0])),
        ("flag", TableColumn.Of<bool>([true, false, true, false, null, true])),
        ("small", TableColumn.Of<sbyte>([(sbyte)-2, (sbyte)-1, (sbyte)0, (sbyte)1, (sbyte)2, (sbyte)3])),
        ("t", TableColumn.Of([.. Enumerable.Range(0, 6).Select(d => new DateTime(2026, 1, 1 + d, 0, 0, 0, DateTimeKind.Utc))])));

    public static TheoryData<string, int[]> Cases => new()
    {
        { "micro_id == 3", [3] },
        { "micro_id != 3", [0, 1, 2, 4, 5] },
        { "micro_id < 2", [0, 1] },
        { "micro_id <= 2", [0, 1, 2] },
        { "micro_id > 3.5", [4, 5] },
        { "micro_id >= 4", [4, 5] },
        { "potential < 0", [0, 5] },
        { "potential >= -1.5", [0, 1, 2, 3] },
        { "potential == null", [4] },
        { "potential != null", [0, 1, 2, 3, 5] },
        { "not potential > 0", [0, 1, 4, 5] },
        { "ens_id == 'e2'", [2, 3] },
        { "ens_id == \"e1\"", [0, 1] },
        { "ens_id > 'e1'", [2, 3, 5] },
        { "ens_id in ('e1', 'e10')", [0, 1, 5] },
        { "ens_id not in ('e1', 'e10')", [2, 3, 4] },
        { "micro_id in (1, 3, 99)", [1, 3] },
        { "flag == true", [0, 2, 5] },
        { "flag != true", [1, 3] },
        { "small < 0", [0, 1] },
        { "t >= '2026-01-04'", [3, 4, 5] },
        { "run_id == 'r0' and potential > 0", [2] },
        { "run_id == 'r0' or micro_id == 5", [0, 2, 4, 5] },
        { "micro_id == 0 or micro_id == 1 and run_id == 'r0'", [0] },
        { "(micro_id == 0 or micro_id == 1) and run_id == 'r1'", [1] },
        { "not (run_id == 'r0' or flag == true)", [1, 3] },
        { "NOT micro_id < 3 AND ens_id != null", [3, 5] },
        { "`micro_id` == 2", [2] },
        { "micro_id==2", [2] },
    };

    [Trait("TimeZone", "any")]
    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_Expression_SelectsExpectedRows(string filter, int[] rows)
    {
        var mask = FilterEvaluator.Evaluate(FilterParser.Parse(filter), Energies, "energies");
        Assert.Equal(rows, Enumerable.Range(0, mask.Length).Where(i => mask[i]));
    }

    [Theory]
    [InlineData("micro_id ==", 11)]
    [InlineData("micro_id = 3", 9)]
    [InlineData("(micro_id == 3", 14)]
    [InlineData("micro_id == 3 xor", 14)]
    [InlineData("== 3", 0)]
    [InlineData("ens_id == 'open", 10)]
    [InlineData("micro_id in 1, 2", 12)]
    [InlineData("micro_id not == 1", 13)]
    [InlineData("and == 1", 0)]
    [InlineData("", 0)]
    public void Parse_MalformedFilter_ThrowsNamingThePosition(string filter, int position)
    {
        var error = Assert.Throws<FilterException>(() => FilterParser.Parse(filter));
        Assert.Equal(position, error.Position);
        Assert.Contains($"position {position}", error.Message);
    }

    [Trait("TimeZone", "any")]
    [Theory]
    [InlineData("nope == 1", "no column 'nope'")]
    [InlineData("ens_id == 3", "ens_id")]
    [InlineData("micro_id == 'x'", "micro_id")]
    [InlineData("flag < true", "flag")]
    [InlineData("potential > null", "null")]
    [InlineData("t == 'not a date'", "timestamp")]
    public void Evaluate_UnknownColumnOrTypeMismatch_Throws(string filter, string mention)
    {
        var error = Assert.Throws<FilterException>(() => FilterEvaluator.Evaluate(FilterParser.Parse(filter), Energies, "energies"));
        Assert.Contains(mention, error.Message);
    }

    [Fact]
    public void Evaluate_EmptyTable_StillChecksColumns()
    {
        var empty = Energies.Slice(0, 0);
        Assert.Empty(FilterEvaluator.Evaluate(FilterParser.Parse("micro_id > 1"), empty, null));
        Assert.Throws<FilterException>(() => FilterEvaluator.Evaluate(FilterParser.Parse("nope > 1"), empty, null));
    }
}
