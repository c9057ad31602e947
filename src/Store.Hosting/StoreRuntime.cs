using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Store.Actors;
using Store.Core;

namespace Store.Hosting;

/// <summary>
/// The hosted store: an array store and a table store in one actor system (its own, or the one
/// Akka.Hosting runs). Disposing it flushes both and stops the actor system it started.
/// </summary>
public sealed class StoreRuntime : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly bool _ownsSystem;
    private readonly ILogger _logger;
    private int _disposed;

    private StoreRuntime(ActorSystem system, bool ownsSystem, StoreOptions options, ILogger logger)
    {
        _system = system;
        _ownsSystem = ownsSystem;
        _logger = logger;
        Options = options;
        Arrays = ArrayActorStore.Open(system, options.ArrayStore());
        try
        {
            Tables = TableActorStore.Open(system, options.TableStore());
        }
        catch
        {
            Arrays.Dispose();
            throw;
        }

        if (options.Cluster.Enabled && options.Cluster.SeedNodeList().Count == 0)
        {
            // No seed nodes: this node starts the cluster, once its stores have started their shard regions.
            var cluster = Akka.Cluster.Cluster.Get(system);
            cluster.Join(cluster.SelfAddress);
        }

        logger.LogInformation(
            "Store open: arrays {ArrayFormat} at {ArrayRoot}, tables {TableFormat} at {TableRoot}, mode {Mode}, durability {Durability}",
            Arrays.DiskFormat, Arrays.Root, Tables.DiskFormat, Tables.Root, options.Mode, options.Durability);
    }

    /// <summary>The options the store runs with.</summary>
    public StoreOptions Options { get; }

    /// <summary>The array store (<c>&lt;Root&gt;/arrays</c>).</summary>
    public ArrayActorStore Arrays { get; }

    /// <summary>The table store (<c>&lt;Root&gt;/tables</c>).</summary>
    public TableActorStore Tables { get; }

    /// <summary>
    /// Starts an actor system of its own, configured by <see cref="ActorConfig"/>, and opens both stores
    /// in it. Its owner closes it (<see cref="DisposeAsync"/>; in a host, <see cref="StoreFlushService"/>
    /// once the services that write stopped), so the system does not run its coordinated shutdown on
    /// SIGTERM by itself: that would close the stores while those services still append.
    /// </summary>
    /// <exception cref="StoreModeException">A root does not satisfy the mode.</exception>
    public static StoreRuntime Start(StoreOptions options, ILogger logger)
    {
        var owned = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");
        var system = ActorSystem.Create("store", owned.WithFallback(ActorConfig(options)));
        try
        {
            return new StoreRuntime(system, ownsSystem: true, options, logger);
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>
    /// Opens both stores in <paramref name="system"/>, whose configuration includes <see cref="ActorConfig"/>
    /// (Akka.Hosting: <see cref="StoreAkkaHostingExtensions.WithStore"/>).
    /// </summary>
    public static StoreRuntime Join(ActorSystem system, StoreOptions options, ILogger logger) => new(system, ownsSystem: false, options, logger);

    /// <summary>
    /// The actor system's configuration: the cluster node's settings (<see cref="ClusterConfig"/>, when
    /// the cluster is enabled), the journal on the options' database (when durable), then
    /// <see cref="StoreOptions.ActorConfigFile"/> (when set), then the store's built-in settings.
    /// </summary>
    public static Config ActorConfig(StoreOptions options) =>
        options.Cluster.Enabled ? ClusterConfig(options.Cluster).WithFallback(StoreConfig(options)) : StoreConfig(options);

    /// <summary>
    /// <see cref="ActorConfig"/> without the cluster node's remoting, seed nodes, roles, members and
    /// split-brain strategy: what Akka.Hosting's <c>WithRemoting</c> and <c>WithClustering</c> set
    /// instead (see <see cref="StoreAkkaHostingExtensions.WithStore"/>).
    /// </summary>
    internal static Config StoreConfig(StoreOptions options)
    {
        var config = StoreActorConfig.For(new ActorStoreOptions());
        if (options.ActorConfigFile is { } file)
        {
            config = ConfigurationFactory.ParseString(File.ReadAllText(file)).WithFallback(config);
        }

        var journaled = StoreActorConfig.IsJournaled(options.ArrayStore()) || StoreActorConfig.IsJournaled(options.TableStore());
        config = journaled ? StoreActorConfig.WithJournal(config, options.ResolvedJournalConnectionString(), options.JournalProvider) : config;
        return options.Cluster.Enabled ? ShardingConfig(options.Cluster).WithFallback(config) : config;
    }

    // What Akka.Cluster.Hosting's options do not cover: how long the resolver waits, how long a handoff may take.
    private static Config ShardingConfig(StoreClusterOptions cluster) => ConfigurationFactory.ParseString(
        $"""
        akka.cluster.split-brain-resolver.stable-after = {(long)cluster.StableAfter.TotalMilliseconds}ms
        akka.cluster.sharding.handoff-timeout = {(long)cluster.HandOffTimeout.TotalMilliseconds}ms
        """);

    /// <summary>
    /// A cluster node's own settings: remoting on the configured address with the frame size, the seed
    /// nodes (none: the node starts the cluster by joining itself once its stores are open), its roles,
    /// the members needed before any is up and the split-brain resolver's strategy.
    /// </summary>
    public static Config ClusterConfig(StoreClusterOptions cluster)
    {
        static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        var seeds = string.Join(", ", cluster.SeedNodeList().Select(Quote));
        var roles = string.Join(", ", cluster.RoleList().Select(Quote));
        var frame = cluster.MaximumFrameSize;
        return ConfigurationFactory.ParseString(
            $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp {
              hostname = {{Quote(cluster.Hostname)}}
              port = {{cluster.Port}}
              maximum-frame-size = {{frame}}b
              send-buffer-size = {{frame}}b
              receive-buffer-size = {{frame}}b
            }
            akka.cluster {
              seed-nodes = [{{seeds}}]
              roles = [{{roles}}]
              min-nr-of-members = {{cluster.MinimumMembers}}
              split-brain-resolver.active-strategy = {{Quote(cluster.SplitBrainResolver)}}
            }
            """);
    }

    /// <summary>
    /// Completes when this node is up in its cluster (at once when the store is not a cluster): with
    /// <see cref="StoreClusterOptions.MinimumMembers"/> above 1, once that many members have joined.
    /// Commands sent earlier wait in the shard region until then, and may time out.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task WhenUpAsync(CancellationToken cancellationToken = default)
    {
        if (!Options.Cluster.Enabled)
        {
            return Task.CompletedTask;
        }

        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(_system).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Flushes both stores, logging the outcome; a failure of one does not stop the other.</summary>
    public async Task FlushAsync(string reason, CancellationToken cancellationToken = default)
    {
        foreach (var store in new ActorStore[] { Arrays, Tables })
        {
            if (!store.Mode.CanWrite() || store.DiskFormat == DiskFormat.None)
            {
                continue;
            }

            try
            {
                var report = await store.FlushAsync(cancellationToken).ConfigureAwait(false);
                _logger.LogDebug("Flushed {Kind} store ({Reason}): {Paths} paths", store.Kind, reason, report.Outcomes.Count);
            }
            catch (StoreException e)
            {
                _logger.LogError(e, "Flush of the {Kind} store ({Reason}) failed: {Message}", store.Kind, reason, e.Message);
            }
            catch (ObjectDisposedException)
            {
                // Closed by the actor system's coordinated shutdown (which flushed it) before the host stopped this service.
                _logger.LogDebug("The {Kind} store is closed; {Reason} flush skipped", store.Kind, reason);
            }
        }
    }

    /// <summary>
    /// Flushes and closes both stores (each close also trims and compacts the journal), then stops the
    /// actor system when it is the runtime's own. A store that fails to flush is logged and the other
    /// still closes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var store in new ActorStore[] { Arrays, Tables })
        {
            try
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
            catch (StoreException e)
            {
                _logger.LogError(e, "Closing the {Kind} store at {Root} failed: {Message}", store.Kind, store.Root, e.Message);
            }
        }

        if (_ownsSystem)
        {
            await _system.Terminate().ConfigureAwait(false);
        }

        _logger.LogInformation("Store closed: {ArrayRoot}, {TableRoot}", Arrays.Root, Tables.Root);
    }
}
