using Microsoft.Extensions.Options;
using Store.Actors;
using Store.Core;
using Store.Core.Formats.Zarr;

namespace Store.Hosting;

/// <summary>
/// Checks <see cref="StoreOptions"/> when the host starts; every problem is named with its key, what is allowed and what was found.
/// The options the host maps to <see cref="ActorStoreOptions"/> follow <see cref="ActorStoreOptionsValidator"/>'s rules.
/// </summary>
public sealed partial class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    private static readonly IReadOnlyList<DiskFormat> ArrayFormats = ActorStoreOptionsValidator.FormatsOf(StoreKind.Array);
    private static readonly IReadOnlyList<DiskFormat> TableFormats = ActorStoreOptionsValidator.FormatsOf(StoreKind.Table);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var problems = new List<string>();
        var key = StoreOptions.Section;
        if (string.IsNullOrWhiteSpace(options.Root))
        {
            problems.Add($"{key}:Root must name the folder the store writes under; it is empty.");
        }
        else if (options.Root.Contains('\0'))
        {
            problems.Add($"{key}:Root must be a folder path; found one with a NUL character.");
        }

        if (!ActorStoreOptionsValidator.IsMode(options.Mode))
        {
            problems.Add($"{key}:Mode must be one of r, r+, a, w, w-; found '{options.Mode}'.");
        }

        if (options.ArrayFormat is { } arrayFormat && !ArrayFormats.Contains(arrayFormat))
        {
            problems.Add($"{key}:ArrayFormat must be one of {string.Join(", ", ArrayFormats)}; found {options.ArrayFormat}.");
        }

        if (options.TableFormat is { } tableFormat && !TableFormats.Contains(tableFormat))
        {
            problems.Add($"{key}:TableFormat must be one of {string.Join(", ", TableFormats)}; found {options.TableFormat}.");
        }

        if (options.ZarrVersion is not (null or 2 or 3))
        {
            problems.Add($"{key}:ZarrVersion must be 2 or 3, or absent for the root's version; found {options.ZarrVersion}.");
        }
        else if (options.ZarrCodec == ZarrCompressor.Zlib && options.ZarrVersion == 3)
        {
            problems.Add($"{key}:ZarrCodec Zlib exists in Zarr version 2 only; use Gzip or Zstd with ZarrVersion 3.");
        }

        if (options.ZarrCodec is { } codec && !Enum.IsDefined(codec))
        {
            problems.Add($"{key}:ZarrCodec must be one of None, Gzip, Zlib, Zstd; found {options.ZarrCodec}.");
        }

        if (!Enum.IsDefined(options.Durability))
        {
            problems.Add($"{key}:Durability must be None or Journal; found {options.Durability}.");
        }
        else if (options.Durability == Durability.Journal && options.ArrayFormat == DiskFormat.None && options.TableFormat == DiskFormat.None)
        {
            problems.Add($"{key}:Durability Journal needs a disk format to recover into; ArrayFormat and TableFormat are both None.");
        }

        if (string.IsNullOrWhiteSpace(options.JournalProvider))
        {
            problems.Add($"{key}:JournalProvider must name a linq2db provider such as SQLite.MS; found {Show(options.JournalProvider)}.");
        }

        if (options.JournalConnectionString is { } connection && string.IsNullOrWhiteSpace(connection))
        {
            problems.Add($"{key}:JournalConnectionString must be a connection string, or absent for the SQLite file under the root; found {Show(connection)}.");
        }

        if (options.MaxBufferedBytes <= 0)
        {
            problems.Add($"{key}:MaxBufferedBytes must be positive; found {options.MaxBufferedBytes}.");
        }

        if (options.MaxResultBytes <= 0)
        {
            problems.Add($"{key}:MaxResultBytes must be positive; found {options.MaxResultBytes}.");
        }

        if (!ActorStoreOptionsValidator.IsTimeout(options.FlushInterval))
        {
            problems.Add($"{key}:FlushInterval must be positive (for example 00:00:30) and at most {ActorStoreOptionsValidator.MaxTimeout}; found {options.FlushInterval}.");
        }

        if (options.ActorConfigFile is { } file)
        {
            if (string.IsNullOrWhiteSpace(file) || file.Contains('\0'))
            {
                problems.Add($"{key}:ActorConfigFile must name a HOCON file, or be absent; found {Show(file.Replace("\0", "\\0", StringComparison.Ordinal))}.");
            }
            else if (!File.Exists(file))
            {
                problems.Add($"{key}:ActorConfigFile '{file}' does not exist (resolved to '{Path.GetFullPath(file)}').");
            }
        }

        if (!ActorStoreOptionsValidator.IsTimeout(options.FlushTimeout))
        {
            problems.Add($"{key}:FlushTimeout must be positive (for example 00:05:00) and at most {ActorStoreOptionsValidator.MaxTimeout}; found {options.FlushTimeout}.");
        }

        if (options.Cluster.Enabled)
        {
            CheckCluster(options, $"{key}:Cluster", problems);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    // A cluster store is durable on a server database every node reaches, names itself, never clears or archives the shared root, and can hand its paths over within the flush timeout.
    private static void CheckCluster(StoreOptions options, string key, List<string> problems)
    {
        var cluster = options.Cluster;
        if (options.Durability != Durability.Journal)
        {
            problems.Add($"{key}:Enabled needs Store:Durability Journal (a path's acknowledged changes must survive its node); found {options.Durability}.");
        }

        if (options.JournalProvider is null || StoreActorConfig.IsSqlite(options.JournalProvider) || string.IsNullOrWhiteSpace(options.JournalConnectionString))
        {
            problems.Add($"{key}:Enabled needs a server journal every node reaches (Store:JournalProvider such as PostgreSQL.15 and Store:JournalConnectionString); found {Show(options.JournalProvider)}.");
        }

        if (options.ArrayFormat is DiskFormat.Npz or DiskFormat.None || options.TableFormat is DiskFormat.None)
        {
            problems.Add($"{key}:Enabled needs files each node writes for its own paths; found ArrayFormat {options.ArrayFormat?.ToString() ?? "(the root's)"}, TableFormat {options.TableFormat?.ToString() ?? "(the root's)"} (Npz and None are refused).");
        }

        if (options.Mode is "w" or "w-")
        {
            problems.Add($"{key}:Enabled needs Store:Mode a or r+ (clearing a cluster store is done offline); found '{options.Mode}'.");
        }

        if (!ActorStoreOptionsValidator.IsStoreId(cluster.StoreId ?? ""))
        {
            problems.Add($"{key}:StoreId must be 1 to 100 letters, digits, '.', '_' or '-'; found {Show(cluster.StoreId)}.");
        }

        if (string.IsNullOrWhiteSpace(cluster.Hostname))
        {
            problems.Add($"{key}:Hostname must name this node's address; found {Show(cluster.Hostname)}.");
        }

        if (cluster.Port is < 0 or > 65535)
        {
            problems.Add($"{key}:Port must be 0 (any free port) to 65535; found {cluster.Port}.");
        }

        if (cluster.SeedNodeList().FirstOrDefault(s => !SeedNode().IsMatch(s)) is { } seed)
        {
            problems.Add($"{key}:SeedNodes must be akka.tcp://<system>@host:port addresses, comma-separated (the system is 'store' unless Akka.Hosting names it); found '{seed}'.");
        }

        if (cluster.RoleList() is not { Count: > 0 } roles || roles.Any(r => r is not ("store" or "client")))
        {
            problems.Add($"{key}:Roles must be store, client or both, comma-separated; found {Show(cluster.Roles)}.");
        }

        if (cluster.MinimumMembers < 1)
        {
            problems.Add($"{key}:MinimumMembers must be at least 1; found {cluster.MinimumMembers}.");
        }

        if (!StoreClusterOptions.SplitBrainResolvers.Contains(cluster.SplitBrainResolver ?? ""))
        {
            problems.Add($"{key}:SplitBrainResolver must be one of {string.Join(", ", StoreClusterOptions.SplitBrainResolvers)}; found {Show(cluster.SplitBrainResolver)}.");
        }

        if (cluster.NumberOfShards < 1)
        {
            problems.Add($"{key}:NumberOfShards must be at least 1; found {cluster.NumberOfShards}.");
        }

        if (!ActorStoreOptionsValidator.IsTimeout(cluster.StableAfter))
        {
            problems.Add($"{key}:StableAfter must be positive and at most {ActorStoreOptionsValidator.MaxTimeout}; found {cluster.StableAfter}.");
        }

        var minimum = options.FlushTimeout + TimeSpan.FromSeconds(30);
        if (cluster.HandOffTimeout < minimum || !ActorStoreOptionsValidator.IsTimeout(cluster.HandOffTimeout))
        {
            problems.Add($"{key}:HandOffTimeout must be at least Store:FlushTimeout plus 30 s ({minimum}) so a path can flush before it moves; found {cluster.HandOffTimeout}.");
        }

        if (cluster.MaximumFrameSize is < 32_000 or > int.MaxValue)
        {
            problems.Add($"{key}:MaximumFrameSize must be 32000 to {int.MaxValue} bytes; found {cluster.MaximumFrameSize}.");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^akka\.tcp://[A-Za-z0-9][A-Za-z0-9_-]*@[^:/@]+:[0-9]{1,5}$")]
    private static partial System.Text.RegularExpressions.Regex SeedNode();

    private static string Show(string? value) => value is null ? "null" : $"'{value}'";
}
