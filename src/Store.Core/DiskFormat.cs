namespace Store.Core;

/// <summary>The file format a store flushes to.</summary>
public enum DiskFormat
{
    /// <summary>Memory only: nothing is written and the root is not checked.</summary>
    None,

    /// <summary>One NumPy <c>.npy</c> file per array entry.</summary>
    Npy,

    /// <summary>One NumPy <c>.npz</c> archive holding every array entry.</summary>
    Npz,

    /// <summary>A Zarr group with one Zarr array per entry.</summary>
    Zarr,

    /// <summary>One Apache Parquet file per table.</summary>
    Parquet,

    /// <summary>One CSV file per table.</summary>
    Csv,

    /// <summary>One Arrow IPC file per table.</summary>
    Ipc,

    /// <summary>One JSON-lines file per table (one object per row).</summary>
    Json,
}
