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
    private const byte ArrayPayload = 0;
    private const byte TablePayload = 1;

    /// <inheritdoc />
    public override int Identifier => 417_311;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        EntryAppended => AppendedManifest,
        EntryWritten => WrittenManifest,
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
                case EntryAppended appended:
                    writer.Write(appended.Range.Start);
                    writer.Write(appended.Range.Count);
                    WriteNullable(writer, appended.ProducerId);
                    writer.Write(appended.Sequence);
                    WritePayload(writer, appended.Data);
                    break;
                case EntryWritten written:
                    WriteView(writer, written.View);
                    WritePayload(writer, written.Data);
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
            case AppendedManifest:
                var range = new IndexRange(reader.ReadInt64(), reader.ReadInt64());
                var producer = ReadNullable(reader);
                var sequence = reader.ReadInt64();
                return new EntryAppended(ReadPayload(reader, bytes), range, producer, sequence);
            case WrittenManifest:
                var view = ReadView(reader);
                return new EntryWritten(ReadPayload(reader, bytes), view);
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

    private static void WritePayload(BinaryWriter writer, object data)
    {
        switch (data)
        {
            case NdArray array:
                writer.Write(ArrayPayload);
                writer.Write(NpyBytes.Encode(array));
                break;
            case Table table:
                writer.Write(TablePayload);
                writer.Flush();
                using (var ipc = new ArrowStreamWriter(writer.BaseStream, table.Schema, leaveOpen: true))
                {
                    foreach (var batch in table.Batches)
                    {
                        ipc.WriteRecordBatch(batch);
                    }

                    ipc.WriteEnd();
                }

                break;
            default:
                throw new ArgumentException($"StoreSerializer cannot serialize data of type {data.GetType()}.");
        }
    }

    // The payload runs to the end of the bytes, so it is read in place.
    private static object ReadPayload(BinaryReader reader, byte[] bytes)
    {
        var kind = reader.ReadByte();
        var start = (int)reader.BaseStream.Position;
        if (kind == ArrayPayload)
        {
            return NpyBytes.Decode(bytes.AsMemory(start), "journaled array");
        }

        using var ipc = new ArrowStreamReader(new MemoryStream(bytes, start, bytes.Length - start, writable: false));
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
