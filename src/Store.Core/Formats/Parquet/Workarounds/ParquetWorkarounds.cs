using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Memory;
using Apache.Arrow.Types;
using Parquet.Meta;
using Parquet.Schema;
using Encoding = Parquet.Meta.Encoding;
using TimestampType = Apache.Arrow.Types.TimestampType;
using TimeUnit = Apache.Arrow.Types.TimeUnit;

namespace Store.Core.Formats.Parquet.Workarounds;

/// <summary>
/// The one place where the store reads Parquet around Parquet.Net 6.1.0 instead of through it.
/// <para>
/// What: every column chunk whose metadata lists DELTA_BINARY_PACKED (INT32 and INT64 columns:
/// integers, dates, timestamps) is decoded by <see cref="IntColumnChunkReader"/> and
/// <see cref="DeltaBinaryPacked"/>, straight from the file's bytes; every other chunk goes through
/// Parquet.Net as before.
/// </para>
/// <para>
/// Why: Parquet.Net 6.1.0's delta decoder returns wrong values, silently, for INT32 chunks whose deltas
/// need more than 32 bits, which DuckDB writes with <c>PARQUET_VERSION V2</c> (bit widths of 33 and
/// min deltas beyond the int range; values spread over the int range are enough); it refuses DATE,
/// TIMESTAMP, INT8 and UINT8 chunks outright ("System.DateTime is not supported in
/// DELTA_BINARY_PACKED", parquet-dotnet #778), and has a history of such bugs (#389, #486).
/// ParquetSharp (Arrow C++) is no way around it: it refuses DuckDB's 33-bit INT32 pages ("InitBlock EOF").
/// </para>
/// <para>
/// Also, for speed (a query scan spends its time decoding): flat int32, int64, float and double
/// chunks encoded PLAIN or with a dictionary go through the same chunk reader, and PLAIN string
/// chunks of files Parquet.Net wrote through <see cref="StringColumnChunkReader"/>, straight into
/// Arrow buffers; Parquet.Net would decode them through nullable arrays and one .NET string per value.
/// </para>
/// <para>
/// When to remove: the DELTA bypass once Parquet.Net reads every file of Store.Interop.Tests'
/// <c>ParquetEncodingTests</c> as DuckDB does without it; the speed bypasses once Parquet.Net decodes
/// into caller-owned dense buffers at a similar cost (<c>TableQueryScaleBenchmarks</c> tells).
/// </para>
/// </summary>
internal static class ParquetWorkarounds
{
    /// <summary>
    /// Whether the store reads <paramref name="field"/>'s chunk <paramref name="chunk"/> itself rather
    /// than through Parquet.Net: every DELTA_BINARY_PACKED integer chunk (Parquet.Net reads some
    /// wrong), and, for speed, flat int32, int64, float and double columns (<paramref name="type"/>)
    /// whose chunks use only PLAIN and dictionary encodings — Parquet.Net decodes those through
    /// nullable arrays at several times the cost, and they are what a query scan spends its time on.
    /// </summary>
    public static bool Bypasses([NotNullWhen(true)] ColumnChunk? chunk, DataField field, IArrowType type) =>
        chunk?.MetaData is { } meta
        && field.MaxRepetitionLevel == 0
        && field.MaxDefinitionLevel <= 1
        && ((meta.Type is global::Parquet.Meta.Type.INT32 or global::Parquet.Meta.Type.INT64 && meta.Encodings.Contains(Encoding.DELTA_BINARY_PACKED))
            || (Plain(meta) && (meta.Type, type) is
                (global::Parquet.Meta.Type.INT32, Int32Type) or (global::Parquet.Meta.Type.INT64, Int64Type)
                or (global::Parquet.Meta.Type.FLOAT, FloatType) or (global::Parquet.Meta.Type.DOUBLE, DoubleType)));

    /// <summary>
    /// Whether a string column's chunk in a file Parquet.Net wrote (<paramref name="ownWriter"/>; its
    /// strings are valid UTF-8, which other writers do not promise) is read by
    /// <see cref="StringColumnChunkReader"/>: flat and PLAIN, as Parquet.Net writes them.
    /// </summary>
    public static bool BypassesStrings([NotNullWhen(true)] ColumnChunk? chunk, DataField field, IArrowType type, bool ownWriter) =>
        ownWriter
        && type is Apache.Arrow.Types.StringType
        && chunk?.MetaData is { Type: global::Parquet.Meta.Type.BYTE_ARRAY } meta
        && field.MaxRepetitionLevel == 0
        && field.MaxDefinitionLevel <= 1
        && meta.Encodings.All(e => e is Encoding.PLAIN or Encoding.RLE or Encoding.BIT_PACKED);

    /// <summary>
    /// A string column's values in row group <paramref name="group"/> (see <see cref="BypassesStrings"/>),
    /// in arrays rented from <paramref name="borrowed"/> when given (valid until it is disposed).
    /// </summary>
    /// <exception cref="CorruptDataException">The chunk is malformed, naming the file, column and row group.</exception>
    public static IArrowArray ReadStrings(FileStream stream, string file, int group, ColumnChunk chunk, DataField field, int rows, RentedBuffers? borrowed = null)
    {
        try
        {
            return StringColumnChunkReader.Read(stream, chunk.MetaData!, field.MaxDefinitionLevel > 0, rows, borrowed);
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException or ArgumentException)
        {
            throw new CorruptDataException(
                $"{file}: column '{field.Name}' in row group {group} ({chunk.MetaData!.Type}, {string.Join("/", chunk.MetaData.Encodings)}) cannot be read: {e.Message}.", file, e);
        }
    }

    private static bool Plain(ColumnMetaData meta) =>
        meta.Encodings.All(e => e is Encoding.PLAIN or Encoding.PLAIN_DICTIONARY or Encoding.RLE_DICTIONARY or Encoding.RLE or Encoding.BIT_PACKED);

    /// <summary>
    /// The values of <paramref name="field"/> in row group <paramref name="group"/> as an Arrow array of
    /// <paramref name="type"/> (the type the codec gives the column: a number type or a timestamp):
    /// every row, or only the rows <paramref name="selected"/> lists (ascending indices). 64-bit
    /// columns of every row are built in an array rented from <paramref name="borrowed"/> when given.
    /// </summary>
    /// <exception cref="CorruptDataException">The chunk is malformed or holds what is not read here, naming the file, column and row group.</exception>
    public static IArrowArray ReadColumn(FileStream stream, string file, int group, ColumnChunk chunk, DataField field, IArrowType type, int rows, int[]? selected = null, RentedBuffers? borrowed = null)
    {
        try
        {
            using var scratch = new RentedBuffers();
            var present = scratch.Rent<bool>(rows);
            if (selected is null && type is Int64Type or UInt64Type or DoubleType)
            {
                // 64-bit values as they are (a double's are its bits): decoded straight into the column's buffer.
                var bytes = borrowed?.RentMemory<byte>(rows * sizeof(long)) ?? GC.AllocateUninitializedArray<byte>(rows * sizeof(long));
                IntColumnChunkReader.Read(stream, chunk.MetaData!, field.MaxDefinitionLevel > 0, MemoryMarshal.Cast<byte, long>(bytes.Span), present, scratch);
                return ArrowArrayFactory.BuildArray(new ArrayData(type, rows, present.Count(false), 0, [Validity(present), new ArrowBuffer(bytes)]));
            }

            var values = scratch.Rent<long>(rows);
            IntColumnChunkReader.Read(stream, chunk.MetaData!, field.MaxDefinitionLevel > 0, values, present, scratch);
            if (selected is not null)
            {
                var someValues = scratch.Rent<long>(selected.Length);
                var somePresent = scratch.Rent<bool>(selected.Length);
                for (var i = 0; i < selected.Length; i++)
                {
                    someValues[i] = values[selected[i]];
                    somePresent[i] = present[selected[i]];
                }

                return ToArrow(someValues, somePresent, type, field.SchemaElement);
            }

            return ToArrow(values, present, type, field.SchemaElement);
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException or ArgumentException)
        {
            throw new CorruptDataException(
                $"{file}: column '{field.Name}' in row group {group} ({chunk.MetaData!.Type}, {string.Join("/", chunk.MetaData.Encodings)}) cannot be read: {e.Message}.", file, e);
        }
    }

    private static IArrowArray ToArrow(ReadOnlySpan<long> values, ReadOnlySpan<bool> present, IArrowType type, SchemaElement? element)
    {
        var rows = values.Length;
        var buffer = type switch
        {
            Int8Type => Narrowed<sbyte>(values),
            Int16Type => Narrowed<short>(values),
            Int32Type => Narrowed<int>(values),
            UInt8Type => Narrowed<byte>(values),
            UInt16Type => Narrowed<ushort>(values),
            UInt32Type => Narrowed<uint>(values),
            Int64Type or UInt64Type or DoubleType => Copied(values), // the 64 bits as they are (a double's are its bits)
            FloatType => Floats(values),
            TimestampType timestamp => Timestamps(values, timestamp.Unit, element),
            _ => throw new FormatException($"a column read as {type.Name}; expected integers, floats, a date or a timestamp"),
        };
        return ArrowArrayFactory.BuildArray(new ArrayData(type, rows, present.Count(false), 0, [Validity(present), buffer]));
    }

    // Arrow's validity bitmap for the rows' flags; none when every row holds a value.
    private static ArrowBuffer Validity(ReadOnlySpan<bool> present)
    {
        if (!present.Contains(false))
        {
            return ArrowBuffer.Empty;
        }

        var bits = new byte[(present.Length + 7) / 8];
        for (var i = 0; i < present.Length; i++)
        {
            if (present[i])
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return new ArrowBuffer(bits);
    }

    // The values' low bits as T (an INT32 column read sign-extended, or a narrower logical type).
    private static ArrowBuffer Narrowed<T>(ReadOnlySpan<long> values) where T : unmanaged, IBinaryInteger<T>
    {
        var bytes = GC.AllocateUninitializedArray<byte>(values.Length * Unsafe.SizeOf<T>());
        var typed = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        for (var i = 0; i < values.Length; i++)
        {
            typed[i] = T.CreateTruncating(values[i]);
        }

        return new ArrowBuffer(bytes);
    }

    private static ArrowBuffer Copied(ReadOnlySpan<long> values)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(values.Length * sizeof(long));
        MemoryMarshal.AsBytes(values).CopyTo(bytes);
        return new ArrowBuffer(bytes);
    }

    private static ArrowBuffer Floats(ReadOnlySpan<long> values)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(values.Length * sizeof(float));
        var typed = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        for (var i = 0; i < values.Length; i++)
        {
            typed[i] = BitConverter.Int32BitsToSingle((int)values[i]);
        }

        return new ArrowBuffer(bytes);
    }

    /// <summary>
    /// Dates (days) and timestamps (in the file's unit) as the Arrow type's unit: exact when it is finer,
    /// truncated toward zero when it is coarser (as Parquet.Net's DateTime path does for nanoseconds).
    /// </summary>
    private static ArrowBuffer Timestamps(ReadOnlySpan<long> values, TimeUnit unit, SchemaElement? element)
    {
        var target = unit switch
        {
            TimeUnit.Second => 1L,
            TimeUnit.Millisecond => 1_000L,
            TimeUnit.Microsecond => 1_000_000L,
            _ => 1_000_000_000L,
        };
        var logical = element?.LogicalType;
        long? source = logical?.TIMESTAMP?.Unit switch
        {
            { MILLIS: not null } => 1_000L,
            { MICROS: not null } => 1_000_000L,
            { NANOS: not null } => 1_000_000_000L,
            _ => element?.ConvertedType switch
            {
                ConvertedType.TIMESTAMP_MILLIS => 1_000L,
                ConvertedType.TIMESTAMP_MICROS => 1_000_000L,
                _ => null,
            },
        };
        var days = source is null && (logical?.DATE is not null || element?.ConvertedType == ConvertedType.DATE);
        if (source is null && !days)
        {
            throw new FormatException($"a timestamp column annotated {logical?.ToString() ?? element?.ConvertedType?.ToString() ?? "nothing"}; expected DATE or TIMESTAMP");
        }

        var bytes = GC.AllocateUninitializedArray<byte>(values.Length * sizeof(long));
        var scaled = MemoryMarshal.Cast<byte, long>(bytes.AsSpan());
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            scaled[i] = days
                ? checked(v * 86_400 * target)
                : target >= source!.Value ? checked(v * (target / source.Value)) : v / (source.Value / target);
        }

        return new ArrowBuffer(bytes);
    }
}
