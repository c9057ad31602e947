namespace Store.Core.Arrays;

/// <summary>The element types an array can hold; see <see cref="DTypes"/> for sizes and names.</summary>
public enum DType
{
    /// <summary>One byte, 0 or 1 (numpy <c>|b1</c>).</summary>
    Bool,

    /// <summary>Signed 8-bit integer (numpy <c>|i1</c>).</summary>
    Int8,

    /// <summary>Signed 16-bit integer (numpy <c>&lt;i2</c>).</summary>
    Int16,

    /// <summary>Signed 32-bit integer (numpy <c>&lt;i4</c>).</summary>
    Int32,

    /// <summary>Signed 64-bit integer (numpy <c>&lt;i8</c>).</summary>
    Int64,

    /// <summary>Unsigned 8-bit integer (numpy <c>|u1</c>).</summary>
    UInt8,

    /// <summary>Unsigned 16-bit integer (numpy <c>&lt;u2</c>).</summary>
    UInt16,

    /// <summary>Unsigned 32-bit integer (numpy <c>&lt;u4</c>).</summary>
    UInt32,

    /// <summary>Unsigned 64-bit integer (numpy <c>&lt;u8</c>).</summary>
    UInt64,

    /// <summary>IEEE 754 single precision (numpy <c>&lt;f4</c>).</summary>
    Float32,

    /// <summary>IEEE 754 double precision (numpy <c>&lt;f8</c>).</summary>
    Float64,
}
