using Store.Core.Tables;
using Store.Actors;
using Store.Core;
using Store.Core.Arrays;
using Table = Store.Core.Tables.Table;

namespace HostedWorker;

/// <summary>
/// A background producer: every <paramref name="period"/> it appends one (1, 16) float32 reading to
/// <c>sensors/&lt;name&gt;</c> and a row to the shared <c>readings</c> table, until the host stops.
/// </summary>
public sealed class SensorProducer(ArrayActorStore arrays, TableActorStore tables, ILogger<SensorProducer> logger, string name, TimeSpan period) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var random = new Random(name.GetHashCode(StringComparison.Ordinal));
        using var timer = new PeriodicTimer(period);
        long sequence = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var reading = Enumerable.Range(0, 16).Select(_ => random.NextSingle()).ToArray();
                var rows = await arrays.AppendAsync($"sensors/{name}", NdArray.From(reading, 1, 16), name, sequence);
                await tables.AppendAsync("readings", Table.FromColumns(
                    ("sensor", TableColumn.Of([name])),
                    ("sequence", TableColumn.Of<long>([sequence])),
                    ("row", TableColumn.Of<long>([rows.Start])),
                    ("mean", TableColumn.Of<double>([reading.Average()]))));
                sequence++;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (StoreException e)
        {
            logger.LogError(e, "{Sensor}: the store refused a reading", name);
        }

        logger.LogInformation("{Sensor}: stopped after {Readings} readings", name, sequence);
    }
}
