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
    /// Adds the store's actor settings (dispatcher, serializer, and the journal and snapshot store on
    /// the store's database when durable) to the actor system, for the one <see cref="StoreOptions"/>
    /// the host has (<see cref="IOptions{TOptions}"/>, as <see cref="AddStoreInAkka"/> binds and
    /// validates them), so the system and the stores can never be configured apart. Use the
    /// <c>AddAkka</c> overload that passes the service provider:
    /// <c>services.AddAkka("app", (akka, provider) =&gt; akka.WithStore(provider))</c>.
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public static AkkaConfigurationBuilder WithStore(this AkkaConfigurationBuilder builder, IServiceProvider services) =>
        builder.AddHocon(StoreRuntime.ActorConfig(services.GetRequiredService<IOptions<StoreOptions>>().Value), HoconAddMode.Prepend);

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
