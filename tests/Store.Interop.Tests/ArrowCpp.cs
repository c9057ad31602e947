using Apache.Arrow;
using ParquetSharp.Arrow;

namespace Store.Interop.Tests;

/// <summary>
/// Arrow C++'s Parquet reader and writer (through ParquetSharp): the code under pyarrow's
/// <c>pq.read_table</c> and <c>pq.write_table</c>. pyarrow itself cannot be installed here (Debian 12 has
/// no python3-pyarrow and PyPI is not reachable), so this stands in for it.
/// </summary>
public static class ArrowCpp
{
    /// <summary>
    /// The Parquet files of <paramref name="folder"/> as <c>pyarrow.dataset.dataset(folder, format="parquet")</c>
    /// finds them: every file below it whose name starts with neither "." nor "_", in path order.
    /// </summary>
    public static IReadOnlyList<string> DatasetFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(n => n.StartsWith('.') || n.StartsWith('_')))
            .Order(StringComparer.Ordinal)];

    /// <summary>Every record batch of one Parquet file, read by Arrow C++, with the file's Arrow schema.</summary>
    public static (Schema Schema, IReadOnlyList<RecordBatch> Batches) Read(string file)
    {
        using var reader = new FileReader(file);
        using var batches = reader.GetRecordBatchReader();
        var read = new List<RecordBatch>();
        while (batches.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
        {
            read.Add(batch);
        }

        return (reader.Schema, read);
    }

    /// <summary>The files of <see cref="DatasetFiles"/>, each read by Arrow C++, concatenated in that order (the dataset's <c>to_table()</c>).</summary>
    public static (IReadOnlyList<string> Files, IReadOnlyList<RecordBatch> Batches) ReadDataset(string folder)
    {
        var files = DatasetFiles(folder);
        return (files, [.. files.SelectMany(f => Read(f).Batches)]);
    }

    /// <summary>Writes <paramref name="batch"/> as a Parquet file with Arrow C++'s writer (as <c>pq.write_table</c> does: its Arrow schema goes into the footer).</summary>
    public static void Write(string file, RecordBatch batch)
    {
        using var writer = new FileWriter(file, batch.Schema);
        writer.WriteRecordBatch(batch);
        writer.Close();
    }
}
