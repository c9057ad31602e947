namespace Store.Core.Arrays;

/// <summary>Sizes, names and CLR mappings of <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>Every supported dtype, in declaration order.</summary>
    public static IReadOnlyList<DType> All { get; } = Enum.GetValues<DType>();

    /// <summary>Bytes per element.</summary>
    public static int ItemSize(this DType dtype) => dtype switch
    {
        DType.Bool or DType.Int8 or DType.UInt8 => 1,
        DType.Int16 or DType.UInt16 => 2,
        DType.Int32 or DType.UInt32 or DType.Float32 => 4,
        DType.Int64 or DType.UInt64 or DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The numpy type code without byte order: <c>b1</c>, <c>i4</c>, <c>f8</c>, ….</summary>
    public static string TypeCode(this DType dtype) => dtype switch
    {
        DType.Bool => "b1",
        DType.Int8 => "i1",
        DType.Int16 => "i2",
        DType.Int32 => "i4",
        DType.Int64 => "i8",
        DType.UInt8 => "u1",
        DType.UInt16 => "u2",
        DType.UInt32 => "u4",
        DType.UInt64 => "u8",
        DType.Float32 => "f4",
        DType.Float64 => "f8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The little-endian numpy descriptor as numpy writes it: <c>&lt;f4</c>, <c>|u1</c>, ….</summary>
    public static string NumpyDescriptor(this DType dtype) =>
        (dtype.ItemSize() == 1 ? "|" : "<") + dtype.TypeCode();

    /// <summary>The lower-case name numpy and Zarr use: <c>bool</c>, <c>int32</c>, <c>float64</c>, ….</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Bool => "bool",
        _ => dtype.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Parses a numpy descriptor such as <c>&lt;f4</c>, <c>&gt;i8</c>, <c>|b1</c> or <c>?</c>.
    /// Returns false for anything this store cannot hold (complex, strings, structured, …).
    /// </summary>
    /// <param name="descriptor">The descriptor from an <c>.npy</c> header.</param>
    /// <param name="dtype">The dtype it names.</param>
    /// <param name="bigEndian">Whether the stored bytes are big-endian (always false for one-byte types).</param>
    public static bool TryParseNumpy(string descriptor, out DType dtype, out bool bigEndian)
    {
        dtype = default;
        bigEndian = false;
        if (descriptor.Length == 0)
        {
            return false;
        }

        var code = descriptor;
        switch (descriptor[0])
        {
            case '<' or '|' or '=':
                code = descriptor[1..];
                break;
            case '>':
                bigEndian = true;
                code = descriptor[1..];
                break;
        }

        DType? found = code switch
        {
            "b1" or "?" => DType.Bool,
            "i1" or "b" => DType.Int8,
            "i2" => DType.Int16,
            "i4" => DType.Int32,
            "i8" => DType.Int64,
            "u1" or "B" => DType.UInt8,
            "u2" => DType.UInt16,
            "u4" => DType.UInt32,
            "u8" => DType.UInt64,
            "f4" => DType.Float32,
            "f8" => DType.Float64,
            _ => null,
        };
        if (found is not { } value)
        {
            return false;
        }

        dtype = value;
        bigEndian &= value.ItemSize() > 1;
        return true;
    }

    /// <summary>The dtype stored by the unmanaged CLR type <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException">A CLR type with no dtype (char, decimal, structs, …).</exception>
    public static DType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(bool)) return DType.Bool;
        if (typeof(T) == typeof(sbyte)) return DType.Int8;
        if (typeof(T) == typeof(short)) return DType.Int16;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(ushort)) return DType.UInt16;
        if (typeof(T) == typeof(uint)) return DType.UInt32;
        if (typeof(T) == typeof(ulong)) return DType.UInt64;
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        throw new ArgumentException($"{typeof(T).Name} has no dtype: use bool, sbyte..long, byte..ulong, float or double.");
    }
}
