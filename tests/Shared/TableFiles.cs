using System.Text.Json;

namespace Store.Interop.Tests;

/// <summary>
/// A table the store wrote, as the reference readers see it: DuckDB for Parquet, CSV and JSON lines
/// (a Parquet table folder through the glob of its parts), apache-arrow for Arrow IPC (a folder read
/// as pyarrow's dataset finds its parts, in one process: <see cref="Readers.ArrowDataset"/>; 64-bit
/// integers then come as strings).
/// </summary>
public static class TableFiles
{
    /// <summary>The rows of the table at <paramref name="path"/> (a file or a folder of parts); format: parquet, ipc, csv or json.</summary>
    public static ReadResult Read(string path, string format)
    {
        if (!Directory.Exists(path))
        {
            return format == "ipc" ? Readers.Arrow(path) : Readers.DuckDb(path, format);
        }

        if (format != "ipc")
        {
            return Readers.DuckDb(Path.Combine(path, "*." + format), format);
        }

        return Readers.ArrowDataset(path).Result;
    }
}
