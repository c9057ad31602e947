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
                    Payload.WriteNullable(writer, appended.ProducerId);
                    writer.Write(appended.Sequence);
                    break;
                case EntryWritten written:
                    writer.Write((byte)'W');
                    Payload.WriteView(writer, written.View);
                    break;
                default:
                    throw new ArgumentException($"StoreSerializer cannot serialize the change {change.GetType()}.");
            }

            switch (DataOf(change))
            {
                case Table table when shared:
                    writer.Write(Payload.TablePayload);
                    writer.Write(table.Batches.Count);
                    break;
                case var data:
                    Payload.WriteData(writer, data!);
                    break;
            }
        }

        if (shared)
        {
            writer.Flush();
            Payload.WriteIpc(writer.BaseStream, tables[0].Schema, tables.SelectMany(t => t.Batches));
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
                producer = Payload.ReadNullable(reader);
                sequence = reader.ReadInt64();
            }
            else
            {
                view = Payload.ReadView(reader);
            }

            object? data = null;
            var batches = 0;
            if (shared && bytes[reader.BaseStream.Position] == Payload.TablePayload)
            {
                reader.ReadByte();
                batches = reader.ReadInt32();
            }
            else
            {
                data = Payload.ReadData(reader, bytes, "journaled array");
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
}
