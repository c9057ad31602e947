using Microsoft.Extensions.Options;

namespace HostedWorker;

/// <summary>Stops the host gracefully after <see cref="WorkerOptions.RunFor"/>, when set.</summary>
public sealed class StopAfter(IOptions<WorkerOptions> options, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RunFor is { } runFor)
        {
            await Task.Delay(runFor, stoppingToken);
            lifetime.StopApplication();
        }
    }
}
