using Microsoft.Extensions.Options;
using Store.Actors;
using Store.Core;
using Store.Core.Formats.Zarr;

namespace Store.Hosting;

/// <summary>Checks <see cref="StoreOptions"/> when the host starts; every problem is named with its key, what is allowed and what was found.</summary>
public sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    private static readonly DiskFormat[] ArrayFormats = [DiskFormat.None, DiskFormat.Npy, DiskFormat.Npz, DiskFormat.Zarr];
    private static readonly DiskFormat[] TableFormats = [DiskFormat.None, DiskFormat.Parquet, DiskFormat.Csv, DiskFormat.Ipc, DiskFormat.Json];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var problems = new List<string>();
        var key = StoreOptions.Section;
        if (string.IsNullOrWhiteSpace(options.Root))
        {
            problems.Add($"{key}:Root must name the folder the store writes under; it is empty.");
        }

        if (options.Mode is not ("r" or "r+" or "a" or "w" or "w-"))
        {
            problems.Add($"{key}:Mode must be one of r, r+, a, w, w-; found '{options.Mode}'.");
        }

        if (!ArrayFormats.Contains(options.ArrayFormat))
        {
            problems.Add($"{key}:ArrayFormat must be one of {string.Join(", ", ArrayFormats)}; found {options.ArrayFormat}.");
        }

        if (!TableFormats.Contains(options.TableFormat))
        {
            problems.Add($"{key}:TableFormat must be one of {string.Join(", ", TableFormats)}; found {options.TableFormat}.");
        }

        if (options.ZarrVersion is not (2 or 3))
        {
            problems.Add($"{key}:ZarrVersion must be 2 or 3; found {options.ZarrVersion}.");
        }
        else if (options.ZarrCodec == ZarrCompressor.Zlib && options.ZarrVersion == 3)
        {
            problems.Add($"{key}:ZarrCodec Zlib exists in Zarr version 2 only; use Gzip or Zstd with ZarrVersion 3.");
        }

        if (options.Durability == Durability.Journal && options.ArrayFormat == DiskFormat.None && options.TableFormat == DiskFormat.None)
        {
            problems.Add($"{key}:Durability Journal needs a disk format to recover into; ArrayFormat and TableFormat are both None.");
        }

        if (options.MaxBufferedBytes <= 0)
        {
            problems.Add($"{key}:MaxBufferedBytes must be positive; found {options.MaxBufferedBytes}.");
        }

        if (options.FlushInterval <= TimeSpan.Zero)
        {
            problems.Add($"{key}:FlushInterval must be positive (for example 00:00:30); found {options.FlushInterval}.");
        }

        if (options.ActorConfigFile is { } file && !File.Exists(file))
        {
            problems.Add($"{key}:ActorConfigFile '{file}' does not exist (resolved to '{Path.GetFullPath(file)}').");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
