using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Store.Actors;

namespace Store.Hosting;

/// <summary>Registers the store in a generic host.</summary>
public static class StoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds the store with <see cref="StoreOptions"/> bound from the <c>Store</c> section of
    /// <paramref name="configuration"/> (and validated when the host starts): a
    /// <see cref="StoreRuntime"/> in an actor system of its own, its <see cref="ArrayActorStore"/> and
    /// <see cref="TableActorStore"/>, and the <see cref="StoreFlushService"/>. Call it before adding
    /// the services that write, so the final flush comes after they stop.
    /// </summary>
    public static IServiceCollection AddStore(this IServiceCollection services, IConfiguration configuration, Action<StoreOptions>? configure = null)
    {
        var options = services.AddStoreSection(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services.AddStoreServices(Start);
    }

    /// <summary>Adds the store with options set in code (see <see cref="AddStore(IServiceCollection, IConfiguration, Action{StoreOptions})"/>).</summary>
    public static IServiceCollection AddStore(this IServiceCollection services, Action<StoreOptions> configure)
    {
        services.AddOptions<StoreOptions>().Configure(configure);
        return services.AddStoreServices(Start);
    }

    /// <summary>
    /// Binds <see cref="StoreOptions"/> from the <c>Store</c> section of <paramref name="configuration"/>
    /// with <see cref="StoreConfiguration"/>, whose problems (unknown keys, values of the wrong type)
    /// <see cref="StoreConfigurationValidator"/> reports when the host starts.
    /// </summary>
    internal static OptionsBuilder<StoreOptions> AddStoreSection(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StoreOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StoreOptions>>(new StoreConfigurationValidator(section)));
        return services.AddOptions<StoreOptions>().Configure(options => StoreConfiguration.Bind(section, options));
    }

    /// <summary>Registers validation, the runtime made by <paramref name="start"/>, the two stores and the flush service.</summary>
    internal static IServiceCollection AddStoreServices(this IServiceCollection services, Func<IServiceProvider, StoreRuntime> start)
    {
        services.AddOptions<StoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>());
        services.TryAddSingleton(start);
        services.TryAddSingleton(sp => sp.GetRequiredService<StoreRuntime>().Arrays);
        services.TryAddSingleton(sp => sp.GetRequiredService<StoreRuntime>().Tables);
        services.TryAddSingleton<StoreFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreFlushService>());
        return services;
    }

    // The runtime in an actor system of its own, with the bound (and validated) options.
    private static StoreRuntime Start(IServiceProvider services) => StoreRuntime.Start(
        services.GetRequiredService<IOptions<StoreOptions>>().Value,
        services.GetRequiredService<ILoggerFactory>().CreateLogger("Store"));
}
