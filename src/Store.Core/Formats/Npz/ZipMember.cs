namespace Store.Core.Formats.Npz;

/// <summary>One member of a ZIP archive as its central directory records it.</summary>
/// <param name="Name">The member's name.</param>
/// <param name="Method">Compression method: 0 stored, 8 deflate.</param>
/// <param name="CompressedSize">Bytes of the member's data in the archive.</param>
/// <param name="UncompressedSize">Bytes once inflated.</param>
/// <param name="HeaderOffset">Where the member's local header starts.</param>
internal sealed record ZipMember(string Name, int Method, long CompressedSize, long UncompressedSize, long HeaderOffset);
