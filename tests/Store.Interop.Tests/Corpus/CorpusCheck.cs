using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;

namespace Store.Interop.Tests.Corpus;

/// <summary>
/// Reads one corpus file with the store and compares it with the tool's reader: tables cell by
/// cell in a canonical form (integers as decimal text, floats as doubles, timestamps as
/// nanoseconds since the epoch, dates as days, times as nanoseconds since midnight; see <c>Same</c>
/// for the two equivalences allowed), arrays by dtype, shape and the sha256 of their little-endian C-order bytes.
/// </summary>
public static class CorpusCheck
{
    /// <summary>The case's outcome: read equal, refused clearly (a StoreException naming the file), or wrong.</summary>
    public static CorpusOutcome Run(CorpusCase corpusCase, CorpusFiles files)
    {
        var root = Path.Combine(files.Root, corpusCase.Id);
        var file = Path.Combine(root, corpusCase.File);
        try
        {
            var problem = corpusCase.IsTable ? CompareTable(root, corpusCase, files.Tables[corpusCase.Id]) : CompareArrays(root, corpusCase, files.Arrays[corpusCase.Id]);
            return problem is null ? new CorpusOutcome(CorpusOutcome.ReadEqual, "") : new CorpusOutcome(CorpusOutcome.Wrong, problem);
        }
        catch (StoreException e) when (e.Message.Contains(file, StringComparison.Ordinal))
        {
            return new CorpusOutcome(CorpusOutcome.RefusedClearly, $"{e.GetType().Name}: {e.Message}");
        }
        catch (Exception e)
        {
            return new CorpusOutcome(CorpusOutcome.Wrong, $"{e.GetType().Name} that does not name {file}: {e.Message}");
        }
    }

    private static string? CompareTable(string root, CorpusCase corpusCase, JsonElement reference)
    {
        using var store = new TableStore(root, "r", corpusCase.DiskFormat);
        var table = store.Read("t") ?? throw new InvalidOperationException($"the store sees no table 't' (it lists {string.Join(", ", store.Available())})");
        var names = reference.GetProperty("columns").EnumerateArray().Select(c => c[0].GetString()!).ToList();
        if (!names.SequenceEqual(table.ColumnNames))
        {
            return $"columns ({string.Join(", ", table.ColumnNames)}); the reader sees ({string.Join(", ", names)})";
        }

        var rows = reference.GetProperty("rows").EnumerateArray().ToList();
        if (rows.Count != table.RowCount)
        {
            return $"{table.RowCount} rows; the reader sees {rows.Count}";
        }

        var differences = new List<string>();
        for (var c = 0; c < names.Count; c++)
        {
            var column = table.Column(names[c]);
            for (var r = 0; r < rows.Count && differences.Count < 5; r++)
            {
                var expected = FromJson(rows[r][c]);
                var actual = Cell(column, r);
                if (!Same(expected, actual))
                {
                    differences.Add($"row {r} column '{names[c]}' ({column.Data.DataType.Name}): store {Show(actual)}, reader {Show(expected)}");
                }
            }
        }

        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static string? CompareArrays(string root, CorpusCase corpusCase, JsonElement reference)
    {
        using var store = new ArrayStore(root, "r", corpusCase.DiskFormat);
        var problems = new List<string>();
        foreach (var entry in reference.EnumerateObject())
        {
            var array = store.Read(entry.Name);
            if (array is null)
            {
                problems.Add($"no entry '{entry.Name}' (the store lists {string.Join(", ", store.Available())})");
                continue;
            }

            var dtype = entry.Value.GetProperty("dtype").GetString();
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
            var hash = Convert.ToHexStringLower(SHA256.HashData(array.Bytes));
            if (array.DType.Name() != dtype || !array.Shape.SequenceEqual(shape) || hash != entry.Value.GetProperty("sha256").GetString())
            {
                problems.Add($"'{entry.Name}': store {array.DType.Name()} ({string.Join(", ", array.Shape.ToArray())}) sha256 {hash[..12]}…, numpy {dtype} ({string.Join(", ", shape)}) sha256 {entry.Value.GetProperty("sha256").GetString()![..12]}…");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>The canonical form of a reference cell: null, bool, string or double.</summary>
    private static object? FromJson(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => cell.GetDouble(),
        _ => cell.GetString(),
    };

    /// <summary>The canonical form of the store's cell (see the class summary).</summary>
    private static object? Cell(IArrowArray column, int row)
    {
        if (column.IsNull(row))
        {
            return null;
        }

        return column switch
        {
            StringArray s => s.GetString(row),
            BooleanArray b => b.GetValue(row),
            FloatArray f => Number(f.GetValue(row)!.Value),
            DoubleArray d => Number(d.GetValue(row)!.Value),
            TimestampArray t => $"ts:{(BigInteger)t.Values[row] * Nanoseconds(((TimestampType)t.Data.DataType).Unit)}",
            Date32Array d => $"date:{d.Values[row]}",
            Date64Array d => $"date:{Math.Floor(d.Values[row] / 86_400_000.0).ToString(CultureInfo.InvariantCulture)}",
            Time32Array t => $"time:{(BigInteger)t.Values[row] * Nanoseconds(((TimeType)t.Data.DataType).Unit)}",
            Time64Array t => $"time:{(BigInteger)t.Values[row] * Nanoseconds(((TimeType)t.Data.DataType).Unit)}",
            Int8Array a => Integer(a.Values[row]),
            Int16Array a => Integer(a.Values[row]),
            Int32Array a => Integer(a.Values[row]),
            Int64Array a => Integer(a.Values[row]),
            UInt8Array a => Integer(a.Values[row]),
            UInt16Array a => Integer(a.Values[row]),
            UInt32Array a => Integer(a.Values[row]),
            UInt64Array a => Integer(a.Values[row]),
            _ => $"other:{column.Data.DataType.Name}",
        };

        static string Integer<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
    }

    private static object Number(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : value;

    private static long Nanoseconds(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 1_000_000_000,
        TimeUnit.Millisecond => 1_000_000,
        TimeUnit.Microsecond => 1_000,
        _ => 1,
    };

    // Equal values; an integer and a double are equal when the double is exactly that integer
    // (text formats carry no types, so DuckDB and the store may infer int and double differently);
    // a date and a timestamp are equal when the timestamp is midnight UTC of that day (the store's
    // Parquet reader reads DATE columns as timestamps: the day is kept, the type widened).
    private static bool Same(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (string e, string a) when e.StartsWith("date:", StringComparison.Ordinal) && a.StartsWith("ts:", StringComparison.Ordinal) =>
            BigInteger.Parse(e.AsSpan(5), CultureInfo.InvariantCulture) * 86_400_000_000_000 == BigInteger.Parse(a.AsSpan(3), CultureInfo.InvariantCulture),
        (double e, string a) when long.TryParse(a, CultureInfo.InvariantCulture, out var whole) => e == whole,
        (string e, double a) when long.TryParse(e, CultureInfo.InvariantCulture, out var whole) => a == whole,
        _ => Equals(expected, actual),
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
