using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Store.Hosting;

/// <summary>
/// Flushes the hosted store every <see cref="StoreOptions.FlushInterval"/>, and once more when the
/// host stops (Ctrl+C, SIGTERM, <c>StopAsync</c>) before closing the store, so a graceful stop
/// loses nothing. Registered by <c>AddStore</c> ahead of the application's services, so it stops
/// after them: their last appends are in the final flush.
/// </summary>
public sealed class StoreFlushService(IServiceProvider services, ILogger<StoreFlushService> logger) : BackgroundService
{
    private StoreRuntime? _runtime;

    /// <summary>How many periodic flushes ran (for tests and health checks).</summary>
    public int PeriodicFlushes => Volatile.Read(ref _periodicFlushes);

    private int _periodicFlushes;

    /// <summary>Opens the store (so a bad root or mode fails the host's start), then starts the periodic flush.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolved here, not in the constructor: with Akka.Hosting the actor system exists only once its service started.
        _runtime = services.GetRequiredService<StoreRuntime>();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_runtime is not null)
        {
            logger.LogInformation("Host stopping: flushing the store");
            await _runtime.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runtime = _runtime!;
        logger.LogInformation("Flushing the store every {FlushInterval} (Store:FlushInterval)", StoreConfiguration.Describe(runtime.Options.FlushInterval));
        using var timer = new PeriodicTimer(runtime.Options.FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await runtime.FlushAsync("periodic", stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _periodicFlushes);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync flushes.
        }
    }
}
