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
    private const string RowAppendsManifest = "T";

    /// <inheritdoc />
    public override int Identifier => 417_311;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        EntryAppended => AppendedManifest,
        EntryWritten => WrittenManifest,
        EntryChanges changes => IsRowRun(changes) ? RowAppendsManifest : ChangesManifest,
        PathSnapshot => SnapshotManifest,
        PathRegistry.PathRegistered => RegisteredManifest,
        PathRegistry.StoreCleared => ClearedManifest,
        _ => throw new ArgumentException($"StoreSerializer cannot serialize {o.GetType()}."),
    };

    /// <summary>
    /// The event's bytes. Changes that carry only arrays (frames: hundreds of kB per event) are
    /// measured first and then written once into an array of exactly that size: no growing buffer
    /// and no final copy, so a journaled frame costs one copy here instead of three. Tables (whose
    /// Arrow encoding should not run twice) are written into a buffer sized for them up front.
    /// </summary>
    public override byte[] ToBinary(object obj)
    {
        if (obj is EntryAppended or EntryWritten)
        {
            obj = new EntryChanges([obj]);
        }

        if (obj is EntryChanges changes && changes.Changes.All(c => DataOf(c) is NdArray))
        {
            return Payload.ExactBytes(stream => Write(stream, obj));
        }

        using var buffer = new MemoryStream(obj is EntryChanges sized ? EstimatedSize(sized) : 256);
        if (obj is EntryChanges rows && IsRowRun(rows))
        {
            using var writer = new BinaryWriter(buffer);
            WriteRowRun(writer, rows);
        }
        else
        {
            Write(buffer, obj);
        }

        return buffer.ToArray();
    }

    // Appends of tables with one layout (producers' small appends to one table): journaled as one run.
    private static bool IsRowRun(EntryChanges changes) =>
        changes.Changes.Count > 1
        && changes.Changes[0] is EntryAppended { Data: Table first }
        && changes.Changes.All(c => c is EntryAppended { Data: Table table } && SameLayout(table.Schema, first.Schema));

    // A run of table appends: each append's range, producer and sequence, then all their rows as one
    // record batch of one Arrow IPC stream (per append, a record batch of its own would cost its
    // metadata and the encoder's work per batch, more than a 1-row append's data).
    private static void WriteRowRun(BinaryWriter writer, EntryChanges changes)
    {
        writer.Write(changes.Changes.Count);
        foreach (EntryAppended appended in changes.Changes)
        {
            writer.Write(appended.Range.Start);
            writer.Write(appended.Range.Count);
            Payload.WriteNullable(writer, appended.ProducerId);
            writer.Write(appended.Sequence);
        }

        Payload.WriteData(writer, Payload.Concatenated([.. changes.Changes.Select(c => (Table)((EntryAppended)c).Data)]));
    }

    private static EntryChanges ReadRowRun(BinaryReader reader, byte[] bytes)
    {
        var appends = new (IndexRange Range, string? Producer, long Sequence)[reader.ReadInt32()];
        for (var i = 0; i < appends.Length; i++)
        {
            appends[i] = (new IndexRange(reader.ReadInt64(), reader.ReadInt64()), Payload.ReadNullable(reader), reader.ReadInt64());
        }

        const string what = "journaled table appends";
        var tables = Payload.Split((Table)Payload.ReadData(reader, bytes, what), [.. appends.Select(a => a.Range.Count)], what);
        var changes = appends.Select((a, i) => (object)new EntryAppended(tables[i], a.Range, a.Producer, a.Sequence)).ToList();
        return new EntryChanges(changes);
    }

    private static void Write(Stream stream, object obj)
    {
        using var writer = new BinaryWriter(stream);
        switch (obj)
        {
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

    // Data plus an allowance per change for its fields, and one for an Arrow stream's schema: a run of appends fits.
    private static int EstimatedSize(EntryChanges changes) =>
        (int)Math.Min(System.Array.MaxLength, changes.Changes.Sum(c => ActorStore.SizeOf(DataOf(c)!) + 64L) + 4096);

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
            case RowAppendsManifest:
                return ReadRowRun(reader, bytes);
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
