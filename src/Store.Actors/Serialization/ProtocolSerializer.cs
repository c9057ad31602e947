using Akka.Actor;
using Akka.Serialization;
using Apache.Arrow;
using Store.Core;
using Store.Core.Arrays;
using Store.Core.Tables;
using static Store.Actors.StoreProtocol;
using Table = Store.Core.Tables.Table;

namespace Store.Actors.Serialization;

/// <summary>
/// Binary serializer for the messages clients and path actors exchange (<see cref="StoreProtocol"/>'s
/// commands, replies, flushes and listings), so they can cross the network between the nodes of a
/// cluster: data as <see cref="Payload"/> writes it (NPY bytes, Arrow IPC), failures as the type,
/// message and entry path of the <see cref="StoreException"/>, rebuilt as the same type on the other
/// side. Bound in reference.conf.
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    // In a list of messages: a run of table appends with one schema (see WriteMessages); never a message's own manifest.
    private const string TableAppendRun = "a*";

    /// <inheritdoc />
    public override int Identifier => 417_312;

    /// <inheritdoc />
    public override string Manifest(object o) => ManifestOf(o);

    /// <summary>
    /// The message's bytes. Messages without tables (frames on their way to a path: batches of
    /// hundreds of kB) are measured and written once into an array of their size; a growing buffer
    /// and its final copy cost two more copies of every frame and large arrays for the GC each time.
    /// </summary>
    public override byte[] ToBinary(object obj)
    {
        if (!CarriesTable(obj))
        {
            return Payload.ExactBytes(stream =>
            {
                using var writer = new BinaryWriter(stream);
                WriteBody(writer, obj);
            });
        }

        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            WriteBody(writer, obj);
        }

        return buffer.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        return ReadBody(reader, bytes, manifest);
    }

    // Whether a message's bytes include a table's Arrow encoding (or a read's value of another kind), which should not run twice.
    private static bool CarriesTable(object message) => message switch
    {
        Write write => write.Data is not NdArray,
        Append append => append.Data is not NdArray,
        CommandBatch batch => batch.Commands.Any(CarriesTable),
        ReadResult result => result.Value is not NdArray,
        BatchReplies replies => replies.Replies.Any(CarriesTable),
        ToPath envelope => CarriesTable(envelope.Message),
        _ => false,
    };

    private static string ManifestOf(object message) => message switch
    {
        Write => "w",
        Append => "a",
        Read => "r",
        Shape => "s",
        Query => "q",
        Compact => "c",
        DTypeOf => "d",
        ReadColumn => "k",
        IterViews => "i",
        CommandBatch => "b",
        Written => "W",
        WriteFailed => "WF",
        Appended => "A",
        AppendFailed => "AF",
        ReadResult => "R",
        ReadFailed => "RF",
        BatchReplies => "BR",
        Flush => "f",
        Flushed => "F",
        FlushFailed => "FF",
        Available => "v",
        AvailableEntries => "V",
        ToPath => "p",
        _ => throw new ArgumentException($"ProtocolSerializer cannot serialize {message.GetType()}."),
    };

    private static void WriteBody(BinaryWriter writer, object message)
    {
        switch (message)
        {
            case Write write:
                writer.Write(write.Path);
                Payload.WriteData(writer, write.Data);
                Payload.WriteView(writer, write.View);
                break;
            case Append append:
                writer.Write(append.Path);
                Payload.WriteData(writer, append.Data);
                Payload.WriteNullable(writer, append.ProducerId);
                writer.Write(append.Sequence);
                break;
            case Read read:
                writer.Write(read.Path);
                Payload.WriteView(writer, read.View);
                break;
            case Shape or Compact or DTypeOf:
                writer.Write(((PathCommand)message).Path);
                break;
            case Query query:
                writer.Write(query.Path);
                Payload.WriteNullable(writer, query.EnsId);
                Payload.WriteNullable(writer, query.RunId);
                Payload.WriteNullable(writer, query.MicroId);
                Payload.WriteNullable(writer, query.Filter);
                break;
            case ReadColumn column:
                writer.Write(column.Path);
                writer.Write(column.Column);
                break;
            case IterViews iter:
                writer.Write(iter.Path);
                writer.Write(iter.Elements?.Count ?? -1);
                foreach (var element in iter.Elements ?? [])
                {
                    writer.Write(element);
                }

                Payload.WriteView(writer, iter.View);
                Payload.WriteNullable(writer, iter.ChunkSize);
                break;
            case CommandBatch batch:
                writer.Write(batch.Path);
                WriteMessages(writer, batch.Commands);
                break;
            case Written or Available:
                break;
            case WriteFailed failed:
                WriteError(writer, failed.Cause);
                break;
            case Appended appended:
                writer.Write(appended.Range.Start);
                writer.Write(appended.Range.Count);
                Payload.WriteNullable(writer, appended.ProducerId);
                writer.Write(appended.Sequence);
                break;
            case AppendFailed failed:
                WriteError(writer, failed.Cause);
                Payload.WriteNullable(writer, failed.ProducerId);
                writer.Write(failed.Sequence);
                break;
            case ReadResult result:
                WriteValue(writer, result.Value);
                break;
            case ReadFailed failed:
                WriteError(writer, failed.Cause);
                break;
            case BatchReplies replies:
                WriteMessages(writer, replies.Replies);
                break;
            case Flush flush:
                Payload.WriteNullable(writer, flush.Path);
                break;
            case Flushed flushed:
                WriteReport(writer, flushed.Report);
                break;
            case FlushFailed failed:
                WriteReport(writer, failed.Report);
                break;
            case ToPath envelope:
                writer.Write(envelope.Path);
                WriteMessages(writer, [envelope.Message]);
                break;
            case AvailableEntries entries:
                writer.Write(entries.Paths.Count);
                foreach (var path in entries.Paths)
                {
                    writer.Write(path);
                }

                break;
            default:
                throw new ArgumentException($"ProtocolSerializer cannot serialize {message.GetType()}.");
        }
    }

    private static object ReadBody(BinaryReader reader, byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case "w":
                return new Write(reader.ReadString(), ReadData(reader, bytes), Payload.ReadView(reader));
            case "a":
                return new Append(reader.ReadString(), ReadData(reader, bytes), Payload.ReadNullable(reader), reader.ReadInt64());
            case "r":
                return new Read(reader.ReadString(), Payload.ReadView(reader));
            case "s":
                return new Shape(reader.ReadString());
            case "c":
                return new Compact(reader.ReadString());
            case "d":
                return new DTypeOf(reader.ReadString());
            case "q":
                return new Query(reader.ReadString(), Payload.ReadNullable(reader), Payload.ReadNullable(reader), Payload.ReadNullableLong(reader), Payload.ReadNullable(reader));
            case "k":
                return new ReadColumn(reader.ReadString(), reader.ReadString());
            case "i":
                var path = reader.ReadString();
                var count = reader.ReadInt32();
                long[]? elements = count < 0 ? null : new long[count];
                for (var e = 0; e < count; e++)
                {
                    elements![e] = reader.ReadInt64();
                }

                var view = (ArrayView?)Payload.ReadView(reader);
                var chunk = Payload.ReadNullableLong(reader);
                return new IterViews(path, elements, view, chunk is null ? null : checked((int)chunk.Value));
            case "b":
                return new CommandBatch(reader.ReadString(), [.. ReadMessages(reader, bytes).Cast<PathCommand>()]);
            case "W":
                return Written.Instance;
            case "WF":
                return new WriteFailed(ReadError(reader));
            case "A":
                return new Appended(new IndexRange(reader.ReadInt64(), reader.ReadInt64()), Payload.ReadNullable(reader), reader.ReadInt64());
            case "AF":
                return new AppendFailed(ReadError(reader), Payload.ReadNullable(reader), reader.ReadInt64());
            case "R":
                return new ReadResult(ReadValue(reader, bytes));
            case "RF":
                return new ReadFailed(ReadError(reader));
            case "BR":
                return new BatchReplies(ReadMessages(reader, bytes));
            case "f":
                return Payload.ReadNullable(reader) is { } one ? new Flush(one) : Flush.Instance;
            case "F":
                return new Flushed(ReadReport(reader));
            case "FF":
                return new FlushFailed(ReadReport(reader));
            case "v":
                return Available.Instance;
            case "p":
                return new ToPath(reader.ReadString(), ReadMessages(reader, bytes)[0]);
            case "V":
                var paths = new string[reader.ReadInt32()];
                for (var p = 0; p < paths.Length; p++)
                {
                    paths[p] = reader.ReadString();
                }

                return new AvailableEntries(paths);
            default:
                throw new ArgumentException($"ProtocolSerializer: unknown manifest '{manifest}'.");
        }
    }

    private static object ReadData(BinaryReader reader, byte[] bytes) => Payload.ReadData(reader, bytes, "an array sent to or from the store");

    // Nested messages (a batch's commands, its replies): each with its manifest in front.
    // Messages in order. Consecutive table appends with one schema (say, producers' 1-row appends in
    // one batch) travel as one run: their rows in a single Arrow IPC stream, each append's producer,
    // sequence and row count beside it, so the schema and the stream's framing are paid once per run.
    private static void WriteMessages(BinaryWriter writer, IReadOnlyList<object> messages)
    {
        var runs = new List<(int Start, int Count)>();
        for (var i = 0; i < messages.Count;)
        {
            var end = i + 1;
            if (messages[i] is Append { Data: Table first })
            {
                while (end < messages.Count && messages[end] is Append { Data: Table next } && first.HasSameColumns(next))
                {
                    end++;
                }
            }

            runs.Add((i, end - i));
            i = end;
        }

        writer.Write(runs.Count);
        foreach (var (start, count) in runs)
        {
            if (count == 1)
            {
                writer.Write(ManifestOf(messages[start]));
                WriteBody(writer, messages[start]);
                continue;
            }

            writer.Write(TableAppendRun);
            writer.Write(count);
            var appends = messages.Skip(start).Take(count).Cast<Append>().ToList();
            foreach (var append in appends)
            {
                writer.Write(append.Path);
                Payload.WriteNullable(writer, append.ProducerId);
                writer.Write(append.Sequence);
                writer.Write(((Table)append.Data).RowCount);
            }

            Payload.WriteData(writer, Payload.Concatenated([.. appends.Select(a => (Table)a.Data)]));
        }
    }

    private static List<object> ReadMessages(BinaryReader reader, byte[] bytes)
    {
        var runs = reader.ReadInt32();
        var messages = new List<object>(runs);
        for (var r = 0; r < runs; r++)
        {
            var manifest = reader.ReadString();
            if (manifest != TableAppendRun)
            {
                messages.Add(ReadBody(reader, bytes, manifest));
                continue;
            }

            var appends = new (string Path, string? ProducerId, long Sequence, long Rows)[reader.ReadInt32()];
            for (var i = 0; i < appends.Length; i++)
            {
                appends[i] = (reader.ReadString(), Payload.ReadNullable(reader), reader.ReadInt64(), reader.ReadInt64());
            }

            var tables = Payload.Split((Table)ReadData(reader, bytes), [.. appends.Select(a => a.Rows)], "a run of table appends");
            messages.AddRange(appends.Select((a, i) => new Append(a.Path, tables[i], a.ProducerId, a.Sequence)));
        }

        return messages;
    }

    // What a read answers: nothing, an array or a table, a shape, a row count, a flag, a dtype, a column, views.
    private static void WriteValue(BinaryWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.Write((byte)0);
                break;
            case NdArray or Table:
                writer.Write((byte)1);
                Payload.WriteData(writer, value);
                break;
            case long[] shape:
                writer.Write((byte)2);
                writer.Write(shape.Length);
                foreach (var extent in shape)
                {
                    writer.Write(extent);
                }

                break;
            case long rows:
                writer.Write((byte)3);
                writer.Write(rows);
                break;
            case bool flag:
                writer.Write((byte)4);
                writer.Write(flag);
                break;
            case DType dtype:
                writer.Write((byte)5);
                writer.Write((int)dtype);
                break;
            case IArrowArray column:
                // One column travels as a table of one column and comes back as its array.
                writer.Write((byte)6);
                Payload.WriteData(writer, Table.FromColumns(("column", column)));
                break;
            case IEnumerable<ArrayView> views:
                writer.Write((byte)7);
                var list = views.ToList();
                writer.Write(list.Count);
                foreach (var view in list)
                {
                    Payload.WriteView(writer, view);
                }

                break;
            default:
                throw new ArgumentException(
                    $"ProtocolSerializer cannot send a {value.GetType().Name} across the network (a live reference belongs to the node that holds the entry).");
        }
    }

    private static object? ReadValue(BinaryReader reader, byte[] bytes)
    {
        switch (reader.ReadByte())
        {
            case 0:
                return null;
            case 1:
                return ReadData(reader, bytes);
            case 2:
                var shape = new long[reader.ReadInt32()];
                for (var d = 0; d < shape.Length; d++)
                {
                    shape[d] = reader.ReadInt64();
                }

                return shape;
            case 3:
                return reader.ReadInt64();
            case 4:
                return reader.ReadBoolean();
            case 5:
                return (DType)reader.ReadInt32();
            case 6:
                return ((Table)ReadData(reader, bytes)).Column("column");
            case 7:
                var views = new List<ArrayView>(reader.ReadInt32());
                for (var v = views.Capacity; v > 0; v--)
                {
                    views.Add((ArrayView)Payload.ReadView(reader)!);
                }

                return views;
            case var kind:
                throw new ArgumentException($"ProtocolSerializer: unknown kind of read result {kind}.");
        }
    }

    private static void WriteReport(BinaryWriter writer, FlushReport report)
    {
        writer.Write(report.Outcomes.Count);
        foreach (var outcome in report.Outcomes)
        {
            writer.Write(outcome.Path);
            writer.Write(outcome.Error is not null);
            if (outcome.Error is not null)
            {
                WriteError(writer, outcome.Error);
            }
        }
    }

    private static FlushReport ReadReport(BinaryReader reader)
    {
        var outcomes = new PathFlushOutcome[reader.ReadInt32()];
        for (var o = 0; o < outcomes.Length; o++)
        {
            var path = reader.ReadString();
            outcomes[o] = new PathFlushOutcome(path, reader.ReadBoolean() ? ReadError(reader) : null);
        }

        return new FlushReport(outcomes);
    }

    // A failure as its kind, message and entry path (and a filter's position); another exception
    // than the store's own goes as a StoreException whose message starts with its type.
    private static void WriteError(BinaryWriter writer, Exception error)
    {
        var kind = error switch
        {
            StoreModeException => "mode",
            SchemaException => "schema",
            CorruptDataException => "corrupt",
            ShapeException => "shape",
            EntryNotFoundException => "missing",
            InvalidPathException => "path",
            FilterException => "filter",
            StoreLockedException => "locked",
            ResultTooLargeException => "too-large",
            StoreTimeoutException => "timeout",
            JournalException => "journal",
            StoreException => "store",
            _ => "other",
        };
        writer.Write(kind);
        writer.Write(kind == "other" ? $"{error.GetType().Name}: {error.Message}" : error.Message);
        Payload.WriteNullable(writer, (error as StoreException)?.EntryPath);
        Payload.WriteNullable(writer, (error as FilterException)?.Position);
    }

    private static StoreException ReadError(BinaryReader reader)
    {
        var (kind, message, path, position) = (reader.ReadString(), reader.ReadString(), Payload.ReadNullable(reader), Payload.ReadNullableLong(reader));
        return kind switch
        {
            "mode" => new StoreModeException(message, path),
            "schema" => new SchemaException(message, path),
            "corrupt" => new CorruptDataException(message, path),
            "shape" => new ShapeException(message, path),
            "missing" => new EntryNotFoundException(message, path),
            "path" => new InvalidPathException(message, path),
            "filter" => new FilterException(message, path, position is null ? null : (int)position.Value),
            "locked" => new StoreLockedException(message, path ?? ""),
            "too-large" => new ResultTooLargeException(message, path),
            "timeout" => new StoreTimeoutException(message, path),
            "journal" => new JournalException(message, path),
            _ => new StoreException(message, path),
        };
    }
}
