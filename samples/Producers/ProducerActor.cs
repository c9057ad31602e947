using Akka.Actor;
using Akka.Event;
using Store.Core.Tables;
using Store.Actors;
using Table = Store.Core.Tables.Table;

namespace Producers;

/// <summary>
/// Sends <c>count</c> appends to the store's coordinator, one at a time, each with this producer's id
/// and its sequence number. An acknowledgement that does not arrive within the timeout is retried
/// with the same sequence number; to show that retries are safe, the actor pretends to lose a share
/// of the acknowledgements it gets, so some appends reach the store twice. The store applies each once.
/// </summary>
public sealed class ProducerActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(150);
    private readonly IActorRef _store;
    private readonly string _id;
    private readonly int _count;
    private readonly double _loss;
    private readonly Random _random;
    private readonly IActorRef _report;
    private long _sequence;
    private int _retries;

    /// <summary>A producer of <paramref name="count"/> appends to the store behind <paramref name="store"/>, reporting to <paramref name="report"/>.</summary>
    public ProducerActor(IActorRef store, string id, int count, double loss, int seed, IActorRef report)
    {
        (_store, _id, _count, _loss, _random, _report) = (store, id, count, loss, new Random(seed), report);
        Receive<StoreProtocol.Appended>(appended =>
        {
            if (appended.ProducerId != _id || appended.Sequence != _sequence)
            {
                return; // the answer to a send that was already retried
            }

            if (_random.NextDouble() < _loss)
            {
                return; // "lost": the timer will resend the same sequence number
            }

            _sequence++;
            SendCurrent();
        });
        Receive<StoreProtocol.AppendFailed>(failed => Context.GetLogger().Warning("{0} #{1} refused: {2}", _id, failed.Sequence, failed.Cause.Message));
        Receive<Retry>(retry =>
        {
            if (retry.Sequence == _sequence)
            {
                _retries++;
                SendCurrent();
            }
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Creates the props.</summary>
    public static Props Props(IActorRef store, string id, int count, double loss, int seed, IActorRef report) =>
        Akka.Actor.Props.Create(() => new ProducerActor(store, id, count, loss, seed, report));

    /// <inheritdoc />
    protected override void PreStart() => SendCurrent();

    private void SendCurrent()
    {
        if (_sequence == _count)
        {
            Timers.CancelAll();
            _report.Tell(new Done(_id, _count, _retries));
            return;
        }

        var row = Table.FromColumns(
            ("producer", TableColumn.Of([_id])),
            ("sequence", TableColumn.Of<long>([_sequence])),
            ("value", TableColumn.Of<double>([_random.NextDouble()])));
        _store.Tell(new StoreProtocol.Append("events", row, _id, _sequence));
        Timers.StartSingleTimer("retry", new Retry(_sequence), Timeout);
    }

    /// <summary>Resend if the acknowledgement of <see cref="Sequence"/> has not come.</summary>
    private sealed record Retry(long Sequence);

    /// <summary>A producer finished: how many appends it made and how many sends it retried.</summary>
    public sealed record Done(string ProducerId, int Appends, int Retries);
}
