using Akka.Actor;
using Akka.Serialization;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Formats.Npy;
using Store.Core.Tables;
using static Store.Actors.StoreProtocol;
using Table = Store.Core.Tables.Table;

namespace Store.Actors.Serialization;

/// <summary>
/// Binary serializer for what the store journals: arrays travel as the bytes of an <c>.npy</c>
/// file, tables as an Arrow IPC stream, the rest as a few fixed fields. Bound in reference.conf.
/// </summary>
public sealed class StoreSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string AppendedManifest = "A";
    private const string WrittenManifest = "W";
    private const string SnapshotManifest = "S";
    private const string RegisteredManifest = "R";
    private const string ClearedManifest = "C";
    private const string ChangesManifest = "B";
    private const byte ArrayPayload = 0;
    private const byte TablePayload = 1;

    /// <inheritdoc />
    public override int Identifier => 417_311;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        EntryAppended => AppendedManifest,
        EntryWritten => WrittenManifest,
        EntryChanges => ChangesManifest,
        PathSnapshot => SnapshotManifest,
        PathRegistry.PathRegistered => RegisteredManifest,
        PathRegistry.StoreCleared => ClearedManifest,
        _ => throw new ArgumentException($"StoreSerializer cannot serialize {o.GetType()}."),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            switch (obj)
            {
                case EntryAppended or EntryWritten:
                    WriteChanges(writer, new EntryChanges([obj]));
                    break;
                case EntryChanges changes:
                    WriteChanges(writer, changes);
                    break;
                case PathSnapshot snapshot:
                    writer.Write(snapshot.Producers.Count);
                    foreach (var (producer, sequence, range) in snapshot.Producers)
                    {
                        writer.Write(producer);
                        writer.Write(sequence);
                        writer.Write(range.Start);
                        writer.Write(range.Count);
                    }

                    break;
                case PathRegistry.PathRegistered registered:
                    writer.Write(registered.Path);
                    break;
                case PathRegistry.StoreCleared cleared:
                    writer.Write(cleared.Generation);
                    break;
                default:
                    throw new ArgumentException($"StoreSerializer cannot serialize {obj.GetType()}.");
            }
        }

        return buffer.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        switch (manifest)
        {
            case AppendedManifest or WrittenManifest:
                return ReadChanges(reader, bytes).Changes[0];
            case ChangesManifest:
                return ReadChanges(reader, bytes);
            case SnapshotManifest:
                var count = reader.ReadInt32();
                var producers = new List<(string, long, IndexRange)>(count);
                for (var i = 0; i < count; i++)
                {
                    producers.Add((reader.ReadString(), reader.ReadInt64(), new IndexRange(reader.ReadInt64(), reader.ReadInt64())));
                }

                return new PathSnapshot(producers);
            case RegisteredManifest:
                return new PathRegistry.PathRegistered(reader.ReadString());
            case ClearedManifest:
                return new PathRegistry.StoreCleared(reader.ReadInt64());
            default:
                throw new ArgumentException($"StoreSerializer: unknown manifest '{manifest}'.");
        }
    }

    // A batch of changes (a single append or write is a batch of one): each change's fields, then the payloads. Tables that share one schema (the
    // usual case: many small appends to one table) go as one Arrow IPC stream, so a 1-row append
    // costs a record batch, not a stream with its own schema.
    private static void WriteChanges(BinaryWriter writer, EntryChanges changes)
    {
        var tables = changes.Changes.Select(DataOf).OfType<Table>().ToList();
        var shared = tables.Count > 1 && tables.All(t => SameLayout(t.Schema, tables[0].Schema));
        writer.Write(changes.Changes.Count);
        writer.Write(shared);
        foreach (var change in changes.Changes)
        {
            switch (change)
            {
                case EntryAppended appended:
                    writer.Write((byte)'A');
                    writer.Write(appended.Range.Start);
                    writer.Write(appended.Range.Count);
                    WriteNullable(writer, appended.ProducerId);
                    writer.Write(appended.Sequence);
                    break;
                case EntryWritten written:
                    writer.Write((byte)'W');
                    WriteView(writer, written.View);
                    break;
                default:
                    throw new ArgumentException($"StoreSerializer cannot serialize the change {change.GetType()}.");
            }

            switch (DataOf(change))
            {
                case NdArray array:
                    writer.Write(ArrayPayload);
                    var header = NpyBytes.Header(array);
                    writer.Write(header.Length + array.Bytes.Length);
                    writer.Write(header);
                    writer.Write(array.Bytes);
                    break;
                case Table table when shared:
                    writer.Write(TablePayload);
                    writer.Write(table.Batches.Count);
                    break;
                case Table table:
                    writer.Write(TablePayload);
                    using (var buffer = new MemoryStream())
                    {
                        WriteIpc(buffer, table.Schema, table.Batches);
                        writer.Write((int)buffer.Length);
                        writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                    }

                    break;
                case var other:
                    throw new ArgumentException($"StoreSerializer cannot serialize data of type {other?.GetType()}.");
            }
        }

        if (shared)
        {
            writer.Flush();
            WriteIpc(writer.BaseStream, tables[0].Schema, tables.SelectMany(t => t.Batches));
        }
    }

    // Payloads are decoded from bytes in place (the reader's stream is over them), not copied out first.
    private static EntryChanges ReadChanges(BinaryReader reader, byte[] bytes)
    {
        var count = reader.ReadInt32();
        var shared = reader.ReadBoolean();
        var parts = new List<(byte Kind, IndexRange Range, string? Producer, long Sequence, object? View, object? Data, int Batches)>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = reader.ReadByte();
            IndexRange range = default;
            string? producer = null;
            long sequence = 0;
            object? view = null;
            if (kind == 'A')
            {
                range = new IndexRange(reader.ReadInt64(), reader.ReadInt64());
                producer = ReadNullable(reader);
                sequence = reader.ReadInt64();
            }
            else
            {
                view = ReadView(reader);
            }

            object? data = null;
            var batches = 0;
            var payload = reader.ReadByte();
            if (payload == TablePayload && shared)
            {
                batches = reader.ReadInt32();
            }
            else
            {
                var length = reader.ReadInt32();
                var start = (int)reader.BaseStream.Position;
                data = payload == ArrayPayload
                    ? NpyBytes.Decode(bytes.AsMemory(start, length), "journaled array")
                    : ReadIpc(new MemoryStream(bytes, start, length, writable: false));
                reader.BaseStream.Seek(length, SeekOrigin.Current);
            }

            parts.Add((kind, range, producer, sequence, view, data, batches));
        }

        if (shared)
        {
            using var ipc = new ArrowStreamReader(reader.BaseStream, leaveOpen: true);
            for (var i = 0; i < parts.Count; i++)
            {
                if (parts[i].Data is null)
                {
                    var batches = new List<RecordBatch>(parts[i].Batches);
                    for (var b = 0; b < parts[i].Batches; b++)
                    {
                        batches.Add(ipc.ReadNextRecordBatch() ?? throw new ArgumentException("journaled changes: the Arrow stream ends early."));
                    }

                    parts[i] = parts[i] with { Data = Table.FromBatches(ipc.Schema, batches) };
                }
            }
        }

        return new EntryChanges([.. parts.Select(p => p.Kind == 'A'
            ? (object)new EntryAppended(p.Data!, p.Range, p.Producer, p.Sequence)
            : new EntryWritten(p.Data!, p.View))]);
    }

    private static object? DataOf(object change) => change switch
    {
        EntryAppended appended => appended.Data,
        EntryWritten written => written.Data,
        _ => null,
    };

    // Same column names, order, nullability and types: batches of one can be read with the other's schema.
    private static bool SameLayout(Schema a, Schema b) =>
        ReferenceEquals(a, b) || (a.FieldsList.Count == b.FieldsList.Count && a.FieldsList.Zip(b.FieldsList, SameField).All(same => same));

    private static bool SameField(Field x, Field y) =>
        x.Name == y.Name && x.IsNullable == y.IsNullable && x.DataType.TypeId == y.DataType.TypeId &&
        (x.DataType is not Apache.Arrow.Types.TimestampType tx ||
         (y.DataType is Apache.Arrow.Types.TimestampType ty && tx.Unit == ty.Unit && tx.Timezone == ty.Timezone)) &&
        (x.DataType is not Apache.Arrow.Types.TimeType ti || (y.DataType is Apache.Arrow.Types.TimeType tj && ti.Unit == tj.Unit));

    private static void WriteIpc(Stream stream, Schema schema, IEnumerable<RecordBatch> batches)
    {
        using var ipc = new ArrowStreamWriter(stream, schema, leaveOpen: true);
        foreach (var batch in batches)
        {
            ipc.WriteRecordBatch(batch);
        }

        ipc.WriteEnd();
    }

    private static Table ReadIpc(Stream stream)
    {
        using var ipc = new ArrowStreamReader(stream);
        var batches = new List<RecordBatch>();
        while (ipc.ReadNextRecordBatch() is { } batch)
        {
            batches.Add(batch);
        }

        return Table.FromBatches(ipc.Schema, batches);
    }

    private static void WriteView(BinaryWriter writer, object? view)
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

    private static object? ReadView(BinaryReader reader)
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

    private static void WriteNullable(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    private static void WriteNullable(BinaryWriter writer, long? value)
    {
        writer.Write(value.HasValue);
        if (value.HasValue)
        {
            writer.Write(value.Value);
        }
    }

    private static string? ReadNullable(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    private static long? ReadNullableLong(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadInt64() : null;
}
