using Store.Core.Arrays;

namespace Store.Core.Formats.Zarr;

/// <summary>The compressors the store writes into Zarr chunks (blosc, zarr-python's v2 default, is refused when read).</summary>
public enum ZarrCompressor
{
    /// <summary>Chunks hold the raw little-endian bytes.</summary>
    None,

    /// <summary>gzip (RFC 1952), Zarr v2 <c>gzip</c> / v3 <c>gzip</c>.</summary>
    Gzip,

    /// <summary>zlib (RFC 1950), Zarr v2 only (numcodecs <c>zlib</c>); v3 stores use gzip instead.</summary>
    Zlib,

    /// <summary>Zstandard, Zarr v2 <c>zstd</c> / v3 <c>zstd</c>.</summary>
    Zstd,
}

/// <summary>
/// How an <see cref="Arrays.ArrayStore"/> with <see cref="DiskFormat.Zarr"/> lays out new arrays.
/// Arrays already on disk keep their own version, chunks and codec; these apply to arrays the
/// store creates (and to arrays it replaces with another dtype or shape).
/// </summary>
public sealed record ZarrOptions
{
    /// <summary>
    /// The Zarr format version of new arrays and groups: 3 or 2. <b>Default</b>: null, the root's
    /// version (recorded in its manifest, or of its group document), 3 for a new root; so a store
    /// never mixes v2 and v3 arrays in one root unless a version is asked for.
    /// </summary>
    public int? Version { get; init; }

    /// <summary>The chunk compressor. <b>Default</b>: none.</summary>
    public ZarrCompressor Compressor { get; init; } = ZarrCompressor.None;

    /// <summary>The compressor's level; null for its own default (gzip/zlib 6, zstd 3).</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>
    /// The chunk shape of new arrays (one length per axis), or null to chunk along axis 0 only,
    /// with the full extent on the other axes and about <see cref="TargetChunkBytes"/> per chunk.
    /// A per-entry shape given to <see cref="Arrays.ArrayStore.Write(string, Arrays.NdArray, int[])"/> wins.
    /// </summary>
    public int[]? ChunkShape { get; init; }

    /// <summary>The size default chunks aim for. <b>Default</b>: 2 MiB.</summary>
    public int TargetChunkBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>
    /// The separator in chunk keys: <c>'.'</c> (v2's default, <c>0.1</c>) or <c>'/'</c> (nested folders,
    /// <c>0/1</c>). Null for the version's default: <c>'.'</c> for v2, <c>'/'</c> for v3.
    /// </summary>
    public char? DimensionSeparator { get; init; }

    /// <summary>v3 only: name chunks the v2 way (<c>0.1</c>) instead of v3's default (<c>c/0/1</c>).</summary>
    public bool V2ChunkKeys { get; init; }

    /// <summary>
    /// v3 only: how many chunks along axis 0 go into one shard file (<c>sharding_indexed</c>), so many
    /// small chunks do not become many small files; null or 1 for no sharding.
    /// </summary>
    public int? ChunksPerShard { get; init; }

    /// <summary>
    /// Checks the options, so a bad value is refused when a store opens rather than when an
    /// array is created or flushed. The message names each bad option as
    /// <c><paramref name="name"/>.Option</c>, its value and what is expected.
    /// </summary>
    /// <param name="name">How the options are named in messages (<c>ActorStoreOptions.Zarr</c> when they come from there).</param>
    /// <exception cref="StoreException">A value out of range.</exception>
    public void Validate(string name = nameof(ZarrOptions))
    {
        var problems = new List<string>();
        if (Version is not (null or 2 or 3))
        {
            problems.Add($"{name}.Version is {Version}; expected 2 or 3.");
        }

        if (!Enum.IsDefined(Compressor))
        {
            problems.Add($"{name}.Compressor is {Compressor}; expected None, Gzip, Zlib or Zstd.");
        }
        else if (Version == 3 && Compressor == ZarrCompressor.Zlib)
        {
            problems.Add($"{name}.Compressor is Zlib; expected None, Gzip or Zstd with Version 3 (Zarr v3 has no zlib codec).");
        }

        if (CompressionLevel is < -7 or > 22)
        {
            problems.Add($"{name}.CompressionLevel is {CompressionLevel}; expected -7..22 (zstd), 0..9 (gzip, zlib) or null.");
        }
        else if (Compressor is ZarrCompressor.Gzip or ZarrCompressor.Zlib && CompressionLevel is < 0 or > 9)
        {
            problems.Add($"{name}.CompressionLevel is {CompressionLevel}; expected 0..9 for {Compressor} or null.");
        }

        if (TargetChunkBytes < 1)
        {
            problems.Add($"{name}.TargetChunkBytes is {TargetChunkBytes}; expected at least 1.");
        }

        if (DimensionSeparator is not (null or '.' or '/'))
        {
            problems.Add($"{name}.DimensionSeparator is '{DimensionSeparator}'; expected '.', '/' or null.");
        }

        if (ChunksPerShard < 1)
        {
            problems.Add($"{name}.ChunksPerShard is {ChunksPerShard}; expected at least 1 or null.");
        }
        else if (Version == 2 && ChunksPerShard > 1)
        {
            problems.Add($"{name}.ChunksPerShard is {ChunksPerShard}; expected 1 or null with Version 2 (sharding needs Zarr v3).");
        }

        if (ChunkShape is { } chunks && chunks.Any(c => c < 1))
        {
            problems.Add($"{name}.ChunkShape is {Shapes.Format(chunks.AsSpan())}; expected every length at least 1.");
        }
        else if (ChunkShape is { } shape)
        {
            // Chunks and shards are built in one buffer each; with one-byte items at the least, the
            // element counts bound what any dtype needs (the dtype is checked when an array is created).
            var layout = ZarrMetadata.Layout(shape, ChunksPerShard is > 1 && Version != 2 ? ChunksPerShard.Value : 1, 1);
            if (layout.ChunkBytes < 0)
            {
                problems.Add($"{name}.ChunkShape is {Shapes.Format(shape.AsSpan())}; a chunk of it holds more than {Array.MaxLength} elements, more than one chunk buffer holds; expected smaller chunks.");
            }
            else if (ChunksPerShard is > 1 && Version != 2 && !layout.ShardFits)
            {
                problems.Add($"{name}.ChunksPerShard is {ChunksPerShard}; with ChunkShape {Shapes.Format(shape.AsSpan())} a shard holds {layout.ShardRows} rows and {layout.ShardBytes} bytes or more; expected at most {int.MaxValue} rows and {Array.MaxLength} bytes, the most one shard buffer holds.");
            }
        }

        if (problems.Count > 0)
        {
            throw new StoreException(string.Join(" ", problems));
        }
    }
}
