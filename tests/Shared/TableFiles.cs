using System.Text.Json;

namespace Store.Interop.Tests;

/// <summary>
/// A table the store wrote, as the reference readers see it: DuckDB for Parquet, CSV and JSON lines
/// (a Parquet table folder through the glob of its parts), apache-arrow for Arrow IPC (a folder read
/// part by part, in the store's part order: by name length, then name).
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

        var parts = Directory.GetFiles(path, "*.arrow").OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal).Select(Readers.Arrow).ToList();
        return new ReadResult(parts[0].Columns, [.. parts.SelectMany(p => p.Rows)]);
    }
}
