using Apache.Arrow;
using Apache.Arrow.Ipc;
using Store.Core.Arrays;
using Store.Core.Formats.Npy;
using Store.Core.Tables;
using Table = Store.Core.Tables.Table;

namespace Store.Actors.Serialization;

/// <summary>
/// How the store's serializers write what their messages carry: arrays as the bytes of an
/// <c>.npy</c> file, tables as an Arrow IPC stream, views and optional values as a few fields.
/// </summary>
internal static class Payload
{
    /// <summary>The byte in front of an array's NPY bytes.</summary>
    internal const byte ArrayPayload = 0;

    /// <summary>The byte in front of a table's Arrow IPC stream.</summary>
    internal const byte TablePayload = 1;

    /// <summary>
    /// What <paramref name="write"/> writes, measured first and then written once into an array of
    /// exactly that size: no growing buffer and no final copy (for messages of arrays, whose bytes
    /// are cheap to count; a table's Arrow encoding would run twice).
    /// </summary>
    internal static byte[] ExactBytes(Action<Stream> write)
    {
        var counter = new CountingStream();
        write(counter);
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)counter.Length));
        write(new MemoryStream(bytes));
        return bytes;
    }

    /// <summary>An array or a table, with a byte saying which and its length in front.</summary>
    /// <exception cref="ArgumentException">Data of another type.</exception>
    internal static void WriteData(BinaryWriter writer, object data)
    {
        switch (data)
        {
            case NdArray array:
                writer.Write(ArrayPayload);
                var header = NpyBytes.Header(array);
                writer.Write(header.Length + array.Bytes.Length);
                writer.Write(header);
                writer.Write(array.Bytes);
                break;
            case Table table:
                writer.Write(TablePayload);
                using (var buffer = new MemoryStream())
                {
                    WriteIpc(buffer, table.Schema, table.Compacted().Batches);
                    writer.Write((int)buffer.Length);
                    writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                }

                break;
            default:
                throw new ArgumentException($"The store's serializers cannot serialize data of type {data?.GetType()}.");
        }
    }

    /// <summary>
    /// What <see cref="WriteData"/> wrote, decoded from <paramref name="bytes"/> (the reader's
    /// stream is over them) in place; <paramref name="what"/> names an array in errors.
    /// </summary>
    internal static object ReadData(BinaryReader reader, byte[] bytes, string what)
    {
        var payload = reader.ReadByte();
        var length = reader.ReadInt32();
        var start = (int)reader.BaseStream.Position;
        object data = payload == ArrayPayload
            ? NpyBytes.Decode(bytes.AsMemory(start, length), what)
            : ReadIpc(new MemoryStream(bytes, start, length, writable: false));
        reader.BaseStream.Seek(length, SeekOrigin.Current);
        return data;
    }

    /// <summary>Tables with one layout as one table (a run of appends travels, or is journaled, as one).</summary>
    internal static Table Concatenated(IReadOnlyList<Table> tables) =>
        Table.FromBatches(tables[0].Schema, tables.SelectMany(t => t.Batches));

    /// <summary>
    /// A run's rows back as one table per append, <paramref name="counts"/> rows each, in buffers of
    /// their own: a slice would keep the whole run's buffers alive and count them as each append's
    /// size (buffer budget, result limits).
    /// </summary>
    /// <exception cref="ArgumentException">The run holds another number of rows than the counts add up to.</exception>
    internal static List<Table> Split(Table rows, IReadOnlyList<long> counts, string what)
    {
        if (rows.RowCount != counts.Sum())
        {
            throw new ArgumentException($"{what}: the run holds {rows.RowCount} rows, its appends {counts.Sum()}.");
        }

        var tables = new List<Table>(counts.Count);
        long offset = 0;
        foreach (var count in counts)
        {
            tables.Add(rows.Slice(offset, count).Compacted());
            offset += count;
        }

        return tables;
    }

    internal static void WriteIpc(Stream stream, Schema schema, IEnumerable<RecordBatch> batches)
    {
        using var ipc = new ArrowStreamWriter(stream, schema, leaveOpen: true);
        foreach (var batch in batches)
        {
            ipc.WriteRecordBatch(batch);
        }

        ipc.WriteEnd();
    }

    internal static Table ReadIpc(Stream stream)
    {
        using var ipc = new ArrowStreamReader(stream);
        var batches = new List<RecordBatch>();
        while (ipc.ReadNextRecordBatch() is { } batch)
        {
            batches.Add(batch);
        }

        return Table.FromBatches(ipc.Schema, batches);
    }

    internal static void WriteView(BinaryWriter writer, object? view)
    {
        switch (view)
        {
            case null:
                writer.Write((byte)0);
                break;
            case ArrayView array:
                writer.Write((byte)1);
                writer.Write(array.ToString());
                break;
            case TableView table:
                writer.Write((byte)2);
                WriteNullable(writer, table.Start);
                WriteNullable(writer, table.Stop);
                writer.Write(table.Columns?.Count ?? -1);
                foreach (var column in table.Columns ?? [])
                {
                    writer.Write(column);
                }

                break;
            default:
                throw new ArgumentException($"StoreSerializer cannot serialize a view of type {view.GetType()}.");
        }
    }

    internal static object? ReadView(BinaryReader reader)
    {
        switch (reader.ReadByte())
        {
            case 0:
                return null;
            case 1:
                var text = reader.ReadString();
                return text.Length == 0 ? ArrayView.Of() : ArrayView.Parse(text);
            default:
                var start = ReadNullableLong(reader);
                var stop = ReadNullableLong(reader);
                var count = reader.ReadInt32();
                string[]? columns = count < 0 ? null : new string[count];
                for (var i = 0; i < count; i++)
                {
                    columns![i] = reader.ReadString();
                }

                return new TableView(start, stop, columns);
        }
    }

    internal static void WriteNullable(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    internal static void WriteNullable(BinaryWriter writer, long? value)
    {
        writer.Write(value.HasValue);
        if (value.HasValue)
        {
            writer.Write(value.Value);
        }
    }

    internal static string? ReadNullable(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    internal static long? ReadNullableLong(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadInt64() : null;

    /// <summary>A stream that only counts what is written to it: the size of a message before it is written.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override void WriteByte(byte value) => _length++;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
