using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Store.Hosting;

/// <summary>Runs the store inside an actor system that Akka.Hosting (<c>services.AddAkka</c>) already runs.</summary>
public static class StoreAkkaHostingExtensions
{
    /// <summary>
    /// Adds the store's actor settings (dispatcher, serializer, and the journal and snapshot store on
    /// the store's database when durable) to the actor system, for the one <see cref="StoreOptions"/>
    /// the host has (<see cref="IOptions{TOptions}"/>, as <see cref="AddStoreInAkka"/> binds and
    /// validates them), so the system and the stores can never be configured apart. With
    /// <c>Store:Cluster:Enabled</c>, it also makes the system a cluster node through Akka.Hosting:
    /// <c>WithRemoting</c> (hostname, port, frame size) and <c>WithClustering</c> (seed nodes, roles,
    /// minimum members, split-brain resolver); the stores start their shard regions when they open.
    /// Use the <c>AddAkka</c> overload that passes the service provider, and name the system
    /// <c>store</c> when other nodes reach it by <c>akka.tcp://store@host:port</c>:
    /// <c>services.AddAkka("store", (akka, provider) =&gt; akka.WithStore(provider))</c>.
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public static AkkaConfigurationBuilder WithStore(this AkkaConfigurationBuilder builder, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StoreOptions>>().Value;
        builder.AddHocon(StoreRuntime.StoreConfig(options), HoconAddMode.Prepend);
        if (!options.Cluster.Enabled)
        {
            return builder;
        }

        var cluster = options.Cluster;
        var frame = checked((int)cluster.MaximumFrameSize);
        return builder
            .WithRemoting(new RemoteOptions
            {
                HostName = cluster.Hostname, Port = cluster.Port, MaxFrameSize = frame, SendBufferSize = frame, ReceiveBufferSize = frame,
            })
            .WithClustering(new ClusterOptions
            {
                SeedNodes = [.. cluster.SeedNodeList()],
                Roles = [.. cluster.RoleList()],
                MinimumNumberOfMembers = cluster.MinimumMembers,
                SplitBrainResolver = cluster.SplitBrainResolver == "keep-oldest" ? new KeepOldestOption() : new KeepMajorityOption(),
            });
    }

    /// <summary>
    /// Provides the store (runtime, array and table stores, flush service) in the actor system that
    /// Akka.Hosting runs, with options bound from the <c>Store</c> section (checked as by <c>AddStore</c>).
    /// Configure that system with <see cref="WithStore"/>. Resolve the stores once the host has started
    /// (for example in <c>ExecuteAsync</c>), when that system exists.
    /// </summary>
    public static IServiceCollection AddStoreInAkka(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddStoreSection(configuration);
        return services.AddStoreServices(sp => StoreRuntime.Join(
            sp.GetRequiredService<ActorSystem>(),
            sp.GetRequiredService<IOptions<StoreOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Store")));
    }
}
