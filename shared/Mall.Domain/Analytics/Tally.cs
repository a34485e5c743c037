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

    /// <summary>Per recommendation slot and algorithm ("home-feed/personal"): impressions, clicks, adds to cart from it.</summary>
    public ImmutableDictionary<string, SlotTally> Slots { get; init; } = ImmutableDictionary<string, SlotTally>.Empty;

    public long Count(TrackedEvent type) => Events.GetValueOrDefault(type);

    /// <param name="slot">The recommendation slot and algorithm the event came from ("slot/algorithm"), if any.</param>
    public Tally With(TrackedEvent type, long amountFen = 0, string? slot = null) => this with
    {
        Events = Events.SetItem(type, Count(type) + 1),
        GmvFen = GmvFen + (type == TrackedEvent.OrderPaid ? amountFen : 0),
        RefundedFen = RefundedFen + (type == TrackedEvent.RefundSucceeded ? amountFen : 0),
        Slots = slot is null || !(TrackedEvents.IsAboutSlot(type) || type == TrackedEvent.AddToCart) ? Slots : Slots.SetItem(slot, Slots.GetValueOrDefault(slot, SlotTally.Empty).With(type)),
    };

    public Tally Plus(Tally other)
    {
        var events = Events.ToBuilder();
        foreach (var (type, count) in other.Events)
        {
            events[type] = events.GetValueOrDefault(type) + count;
        }

        var slots = Slots.ToBuilder();
        foreach (var (slot, counts) in other.Slots)
        {
            slots[slot] = slots.GetValueOrDefault(slot, SlotTally.Empty).Plus(counts);
        }

        return new Tally
        {
            Events = events.ToImmutable(),
            Slots = slots.ToImmutable(),
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

/// <summary>One recommendation slot's (and algorithm's) counts: shown, clicked, and products from it added to the cart.</summary>
public sealed record SlotTally(long Impressions, long Clicks, long AddsToCart)
{
    public static readonly SlotTally Empty = new(0, 0, 0);

    public SlotTally With(TrackedEvent type) => type switch
    {
        TrackedEvent.RecommendationImpression => this with { Impressions = Impressions + 1 },
        TrackedEvent.RecommendationClick => this with { Clicks = Clicks + 1 },
        TrackedEvent.AddToCart => this with { AddsToCart = AddsToCart + 1 },
        _ => this,
    };

    public SlotTally Plus(SlotTally other) => new(Impressions + other.Impressions, Clicks + other.Clicks, AddsToCart + other.AddsToCart);
}
