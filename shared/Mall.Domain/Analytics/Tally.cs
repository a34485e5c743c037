using System.Collections.Immutable;

namespace Mall.Domain.Analytics;

/// <summary>
/// Counts of one period (an hour or a day): events per kind, distinct visitors, money. Adding tallies
/// is how shards and hours fold into larger periods; it is exact because each recorded event is
/// counted by exactly one row of the ledger.
/// </summary>
public sealed record Tally
{
    public static readonly Tally Empty = new();

    public ImmutableDictionary<TrackedEvent, long> Events { get; init; } = ImmutableDictionary<TrackedEvent, long>.Empty;

    /// <summary>Distinct visitors of the period (customers signed in or devices).</summary>
    public long Visitors { get; init; }

    public long GmvFen { get; init; }

    public long RefundedFen { get; init; }

    public long Count(TrackedEvent type) => Events.GetValueOrDefault(type);

    public Tally With(TrackedEvent type, long amountFen = 0) => this with
    {
        Events = Events.SetItem(type, Count(type) + 1),
        GmvFen = GmvFen + (type == TrackedEvent.OrderPaid ? amountFen : 0),
        RefundedFen = RefundedFen + (type == TrackedEvent.RefundSucceeded ? amountFen : 0),
    };

    public Tally Plus(Tally other)
    {
        var events = Events.ToBuilder();
        foreach (var (type, count) in other.Events)
        {
            events[type] = events.GetValueOrDefault(type) + count;
        }

        return new Tally
        {
            Events = events.ToImmutable(),
            Visitors = Visitors + other.Visitors,
            GmvFen = GmvFen + other.GmvFen,
            RefundedFen = RefundedFen + other.RefundedFen,
        };
    }

    /// <summary>How many reached <paramref name="stage"/>: visitors for a visit, events for the other steps, paid orders for paid.</summary>
    public long Reached(FunnelStage stage) => stage switch
    {
        FunnelStage.Visit => Visitors,
        FunnelStage.ProductView => Count(TrackedEvent.ProductView),
        FunnelStage.AddToCart => Count(TrackedEvent.AddToCart),
        FunnelStage.Checkout => Count(TrackedEvent.CheckoutStart),
        FunnelStage.Paid => Count(TrackedEvent.OrderPaid),
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };
}
