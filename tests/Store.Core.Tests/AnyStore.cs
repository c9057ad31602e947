using Store.Core.Arrays;
using Store.Core.Formats.Zarr;
using Store.Core.Tables;

namespace Store.Core.Tests;

/// <summary>
/// An array or table store of any disk format behind one face (entries hold int64 values: a 1-d
/// array, or a table with one column <c>v</c>), so a test runs the same steps for every format.
/// </summary>
public sealed class AnyStore : IDisposable
{
    private readonly ArrayStore? _arrays;
    private readonly TableStore? _tables;

    private AnyStore(string format, string root, ArrayStore? arrays, TableStore? tables)
    {
        Format = format;
        Root = root;
        _arrays = arrays;
        _tables = tables;
    }

    /// <summary>Every disk format, Zarr in both versions.</summary>
    public static TheoryData<string> Formats => new() { "npy", "npz", "zarr2", "zarr3", "parquet", "csv", "json", "ipc" };

    /// <summary>The formats that give each entry files of its own (all but NPZ, whose entries are members of one archive).</summary>
    public static TheoryData<string> FileFormats => new() { "npy", "zarr2", "zarr3", "parquet", "csv", "json", "ipc" };

    /// <summary>The format's name in <see cref="Formats"/>.</summary>
    public string Format { get; }

    /// <summary>The root folder the store was opened on.</summary>
    public string Root { get; }

    /// <summary>The store itself.</summary>
    public DataStore Store => (DataStore?)_arrays ?? _tables!;

    /// <summary>Opens a store of <paramref name="format"/> on <paramref name="root"/>.</summary>
    public static AnyStore Open(string format, string root, string mode = "a") => format switch
    {
        "npy" => new(format, root, new ArrayStore(root, mode, DiskFormat.Npy), null),
        "npz" => new(format, root, new ArrayStore(root, mode, DiskFormat.Npz), null),
        "zarr2" => new(format, root, new ArrayStore(root, StoreModes.Parse(mode), DiskFormat.Zarr, zarr: new ZarrOptions { Version = 2 }), null),
        "zarr3" => new(format, root, new ArrayStore(root, StoreModes.Parse(mode), DiskFormat.Zarr, zarr: new ZarrOptions { Version = 3 }), null),
        "parquet" => new(format, root, null, new TableStore(root, mode, DiskFormat.Parquet)),
        "csv" => new(format, root, null, new TableStore(root, mode, DiskFormat.Csv)),
        "json" => new(format, root, null, new TableStore(root, mode, DiskFormat.Json)),
        "ipc" => new(format, root, null, new TableStore(root, mode, DiskFormat.Ipc)),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The extension of an entry's file (empty for a Zarr folder; NPZ members end in <c>.npy</c>).</summary>
    public static string ExtensionOf(string format) => format switch
    {
        "npy" or "npz" => ".npy",
        "zarr2" or "zarr3" => "",
        "parquet" => ".parquet",
        "csv" => ".csv",
        "json" => ".jsonl",
        "ipc" => ".arrow",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>
    /// The file holding the data of entry <paramref name="path"/>: <c>path.npy</c>, the NPZ archive,
    /// the Zarr array's metadata document, the table file, or the first part of a Parquet or IPC table.
    /// </summary>
    public string DataFile(string path) => DataFileOf(Format, Root, path);

    /// <inheritdoc cref="DataFile"/>
    public static string DataFileOf(string format, string root, string path) => format switch
    {
        "npz" => System.IO.Path.Combine(root, "store.npz"),
        "zarr2" => System.IO.Path.Combine(root, path, ".zarray"),
        "zarr3" => System.IO.Path.Combine(root, path, "zarr.json"),
        "parquet" or "ipc" => System.IO.Path.Combine(root, path + ExtensionOf(format), "part-000000" + ExtensionOf(format)), // a folder of parts
        _ => System.IO.Path.Combine(root, path + ExtensionOf(format)),
    };

    /// <summary>Appends <paramref name="count"/> values <c>start, start + 1, …</c>.</summary>
    public IndexRange Append(string path, long start = 0, int count = 2)
    {
        var values = Enumerable.Range(0, count).Select(i => start + i).ToArray();
        return _arrays is not null
            ? _arrays.Append(path, NdArray.From(values))
            : _tables!.Append(path, Table.FromColumns(("v", TableColumn.Of<long>(values))));
    }

    /// <summary>Creates or replaces the entry with the values <c>0, 1</c>.</summary>
    public void Write(string path)
    {
        if (_arrays is not null)
        {
            _arrays.Write(path, NdArray.From(new long[] { 0, 1 }));
        }
        else
        {
            _tables!.Write(path, Table.FromColumns(("v", TableColumn.Of<long>([0, 1]))));
        }
    }

    /// <summary>The entry's values; fails the test when there is no entry.</summary>
    public long[] Values(string path)
    {
        var values = _arrays is not null
            ? _arrays.Read(path)?.ToArray<long>()
            : _tables!.Read(path)?.Values<long>("v").Select(v => v!.Value).ToArray();
        Assert.NotNull(values);
        return values;
    }

    /// <summary>Flushes every entry.</summary>
    public void Flush() => Store.Flush();

    /// <summary>Every entry path.</summary>
    public IReadOnlyList<string> Available() => Store.Available();

    /// <inheritdoc />
    public void Dispose() => Store.Dispose();
}
