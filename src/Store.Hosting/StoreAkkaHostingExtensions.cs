using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Store.Hosting;

/// <summary>Runs the store inside an actor system that Akka.Hosting (<c>services.AddAkka</c>) already runs.</summary>
public static class StoreAkkaHostingExtensions
{
    /// <summary>
    /// Adds the store's actor settings (dispatcher, serializer, journal) for <paramref name="options"/>
    /// to the actor system. Pair it with <see cref="AddStoreInAkka"/>, which provides the stores.
    /// </summary>
    public static AkkaConfigurationBuilder WithStore(this AkkaConfigurationBuilder builder, StoreOptions options) =>
        builder.AddHocon(StoreRuntime.ActorConfig(options), HoconAddMode.Prepend);

    /// <summary>
    /// Provides the store (runtime, array and table stores, flush service) in the actor system that
    /// Akka.Hosting runs, with options bound from the <c>Store</c> section (checked as by <c>AddStore</c>).
    /// Resolve the stores once the host has started (for example in <c>ExecuteAsync</c>), when that system exists.
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
