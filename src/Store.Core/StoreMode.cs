namespace Store.Core;

/// <summary>
/// How a store opens its root, as in the seed API. Parse the seed's tokens
/// (<c>r</c>, <c>r+</c>, <c>a</c>, <c>w</c>, <c>w-</c>) with <see cref="StoreModes.Parse"/>.
/// </summary>
public enum StoreMode
{
    /// <summary><c>r</c>: read only; the root must exist.</summary>
    Read,

    /// <summary><c>r+</c>: read and write; the root must exist.</summary>
    ReadWrite,

    /// <summary><c>a</c>: read and write; the root is created when missing.</summary>
    Append,

    /// <summary><c>w</c>: create; the store's existing files under the root are removed.</summary>
    Write,

    /// <summary><c>w-</c>: create; the root must not exist yet.</summary>
    WriteNew,
}
