namespace Store.Core;

/// <summary>
/// Table data whose columns do not fit: a missing, extra or retyped column on append (named in the
/// message), ragged columns, an unsupported column type, or a row range outside the table.
/// </summary>
public sealed class SchemaException(string message, string? path = null)
    : StoreException(message, path);
