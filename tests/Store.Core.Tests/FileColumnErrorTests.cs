using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Parquet;
using Parquet.Schema;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// Files other tools wrote whose columns the store cannot hold (a duplicate or empty column name, a
/// column type it has no place for) are refused for every table format with an error that names the
/// file and the column, instead of an error that names neither or a table with made-up names.
/// </summary>
public class FileColumnErrorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public FileColumnErrorTests() => Directory.CreateDirectory(_temp.Path);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("a", "a", "'a' appears twice")]
    [InlineData("a", "", "index 1 has an empty name")]
    public void Read_IpcFileWithBadColumnNames_RefusedNamingFileAndColumn(string first, string second, string expected)
    {
        var file = _temp.Sub("t.arrow");
        WriteIpc(file, new Schema.Builder().Field(f => f.Name(first).DataType(Int32Type.Default)).Field(f => f.Name(second).DataType(Int32Type.Default)).Build(),
            [new Int32Array.Builder().Append(1).Build(), new Int32Array.Builder().Append(2).Build()]);

        AssertRefused(DiskFormat.Ipc, file, expected);
    }

    [Fact]
    public void Read_IpcFileWithListColumn_RefusedNamingFileAndColumn()
    {
        var file = _temp.Sub("t.arrow");
        var listType = new ListType(Int32Type.Default);
        var list = new ListArray.Builder(Int32Type.Default);
        list.Append();
        ((Int32Array.Builder)list.ValueBuilder).Append(1).Append(2);
        WriteIpc(file, new Schema.Builder().Field(f => f.Name("id").DataType(Int32Type.Default)).Field(f => f.Name("tags").DataType(listType)).Build(),
            [new Int32Array.Builder().Append(1).Build(), list.Build()]);

        AssertRefused(DiskFormat.Ipc, file, "column 'tags' has Arrow type list, which the store cannot hold");
    }

    [Theory]
    [InlineData("a,b,a\n1,2,3\n", "'a' appears twice")]
    [InlineData("a,,b\n1,2,3\n", "index 1 has an empty name")]
    public void Read_CsvFileWithBadHeader_RefusedNamingFileAndColumn(string text, string expected)
    {
        var file = _temp.Sub("t.csv");
        File.WriteAllText(file, text);

        AssertRefused(DiskFormat.Csv, file, expected);
    }

    [Theory]
    [InlineData("{\"a\": 1, \"b\": 2, \"a\": 3}\n", "line 1 has the key 'a' twice")]
    [InlineData("{\"a\": 1}\n{\"a\": 2, \"\": 3}\n", "index 1 has an empty name")]
    public void Read_JsonLinesFileWithBadKeys_RefusedNamingFileAndColumn(string text, string expected)
    {
        var file = _temp.Sub("t.jsonl");
        File.WriteAllText(file, text);

        AssertRefused(DiskFormat.Json, file, expected);
    }

    [Theory]
    [InlineData("a", "a", "'a' appears twice")]
    [InlineData("a", "", "index 1 has an empty name")]
    public async Task Read_ParquetFileWithBadColumnNames_RefusedNamingFileAndColumn(string first, string second, string expected)
    {
        var file = _temp.Sub("t.parquet");
        var schema = new ParquetSchema(new DataField<int>(first), new DataField<int>(second));
        await using (var stream = File.Create(file))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            using var group = writer.CreateRowGroup();
            foreach (var field in schema.GetDataFields())
            {
                await group.WriteAsync<int>(field, new[] { 1, 2 });
            }
        }

        AssertRefused(DiskFormat.Parquet, file, expected);
    }

    /// <summary>Both ways into a file, a read and a lazy reference, are refused, naming the file (as the message's start and as EntryPath) and the column.</summary>
    private CorruptDataException AssertRefused(DiskFormat format, string file, string expected)
    {
        CorruptDataException read, get;
        using (var store = new TableStore(_temp.Path, "r", format))
        {
            read = Assert.Throws<CorruptDataException>(() => store.Read("t"));
        }

        using (var store = new TableStore(_temp.Path, "r", format))
        {
            get = Assert.Throws<CorruptDataException>(() => store.Get("t")!.RowCount);
        }

        foreach (var error in new[] { read, get })
        {
            Assert.StartsWith(file + ": ", error.Message);
            Assert.Contains(expected, error.Message);
            Assert.Equal(file, error.EntryPath);
        }

        return read;
    }

    private static void WriteIpc(string file, Schema schema, IArrowArray[] columns)
    {
        using var stream = File.Create(file);
        using var writer = new ArrowFileWriter(stream, schema);
        writer.WriteRecordBatch(new RecordBatch(schema, columns, columns[0].Length));
        writer.WriteEnd();
    }
}
