using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Store.Core.Storage;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Core.Formats.Ipc;

/// <summary>
/// Arrow IPC tables: a folder of part files (<c>.arrow</c>, the random-access "file" format with a
/// footer), one per flush (see <see cref="PartFolder"/>), since a footer must be rewritten to add
/// batches to a file. A single <c>.arrow</c> file another tool wrote is read too, and rewritten
/// whole when appended to, until compacted into a folder. Files other tools wrote are read with LZ4_FRAME or ZSTD compressed buffers too (the store
/// writes uncompressed ones), in the IPC stream format too, and their columns are mapped to store
/// types by <see cref="IpcColumns"/>.
/// </summary>
internal sealed class IpcTableCodec : TableCodec
{
    // Decompresses LZ4_FRAME and ZSTD buffers; stateless, so one serves every reader.
    private static readonly CompressionCodecFactory Codecs = new();

    /// <inheritdoc />
    protected override bool CarriesDatesAndTimes => true;

    /// <inheritdoc />
    public override string Extension => ".arrow";

    /// <inheritdoc />
    protected override bool WritesParts => true;

    /// <inheritdoc />
    protected override Schema ReadSchema(string file)
    {
        using var stream = File.OpenRead(file);
        using var reader = IsFileFormat(stream) ? new ArrowFileReader(stream, ManagedArrowMemory.Instance, Codecs) : new ArrowStreamReader(stream, ManagedArrowMemory.Instance, Codecs, leaveOpen: false);
        return IpcColumns.ToStoreTable(reader.Schema, [], file).Schema;
    }

    /// <inheritdoc />
    protected override (Schema Schema, long Rows) InspectFile(string file)
    {
        var table = LoadFile(file);
        return (table.Schema, table.RowCount);
    }

    /// <inheritdoc />
    protected override Table LoadFile(string file)
    {
        using var stream = File.OpenRead(file);
        using var reader = IsFileFormat(stream) ? new ArrowFileReader(stream, ManagedArrowMemory.Instance, Codecs) : new ArrowStreamReader(stream, ManagedArrowMemory.Instance, Codecs, leaveOpen: false);
        var batches = new List<RecordBatch>();
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            batches.Add(batch);
        }

        return IpcColumns.ToStoreTable(reader.Schema, batches, file);
    }

    /// <summary>
    /// Whether the file starts with the IPC file format's magic <c>ARROW1</c>. Other tools also save
    /// the IPC stream format (no footer) as <c>.arrow</c>; such a file is read as a stream, and the
    /// next flush rewrites it in the file format.
    /// </summary>
    private static bool IsFileFormat(Stream stream)
    {
        Span<byte> magic = stackalloc byte[6];
        var read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == magic.Length && magic.SequenceEqual("ARROW1"u8);
    }

    /// <inheritdoc />
    protected override void WriteFile(Stream stream, Table table)
    {
        using var writer = new ArrowFileWriter(stream, table.Schema, leaveOpen: true);
        foreach (var batch in table.Batches)
        {
            writer.WriteRecordBatch(batch);
        }

        writer.WriteEnd();
    }
}
