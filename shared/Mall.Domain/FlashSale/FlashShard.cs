using System.Collections.Immutable;

namespace Mall.Domain.FlashSale;

/// <summary>
/// Part of a flash sale's units, in its own partition so a burst spreads over many entities: the
/// ids of the orders holding its units (a unit per order), kept while the order holds or bought
/// it, so taking a unit is idempotent per order for the sale's life. A closed shard (the sale
/// ended) takes nothing more; what it had left went back to normal stock when it closed.
/// </summary>
public sealed record FlashShard
{
    public FlashShard(int capacity, ImmutableList<string>? holders = null, bool closed = false, int unsoldAtClose = 0)
    {
        Capacity = capacity;
        Holders = holders ?? [];
        Closed = closed;
        UnsoldAtClose = unsoldAtClose;
    }

    public int Capacity { get; }

    public ImmutableList<string> Holders { get; }

    public bool Closed { get; }

    /// <summary>Units left when it closed (they went back to normal stock).</summary>
    public int UnsoldAtClose { get; }

    public int Remaining => Closed ? 0 : Capacity - Holders.Count;

    public bool Holds(string orderId) => Holders.Contains(orderId);

    public (FlashShard Shard, ShardTake Outcome) Take(string orderId)
    {
        if (Holds(orderId))
        {
            return (this, ShardTake.AlreadyHeld);
        }

        return Remaining > 0 ? (new FlashShard(Capacity, Holders.Add(orderId), Closed, UnsoldAtClose), ShardTake.Taken) : (this, ShardTake.Full);
    }

    /// <summary>The order no longer holds its unit (it ended unpaid): open, the unit sells again; closed, it goes back to normal stock.</summary>
    public FlashShard Release(string orderId) => Holds(orderId) ? new FlashShard(Capacity, Holders.Remove(orderId), Closed, UnsoldAtClose) : this;

    public FlashShard Close() => Closed ? this : new FlashShard(Capacity, Holders, closed: true, unsoldAtClose: Capacity - Holders.Count);
}

public enum ShardTake
{
    Taken,
    AlreadyHeld,
    Full,
}

/// <summary>
/// A customer's take of one of their <see cref="FlashSaleSession.PerCustomerLimit"/> units of a sale, by
/// conditional insert of the next slot: the order that took it, kept while the order holds or bought
/// the unit. <see cref="DuplicateSeen"/>: another request for the same order came (same Idempotency-Key)
/// and may have taken a unit too, so the requests look for the order's units across all shards.
/// <see cref="Released"/>: the order ended unpaid and its unit is (being) given back; the slot no longer
/// counts against the limit, and a request still taking for that order gives back what it took.
/// </summary>
public sealed record FlashTake(string OrderId, DateTimeOffset TakenAt, bool DuplicateSeen = false, bool Released = false)
{
    /// <summary>Slots one customer may use in one sale (taken and given back included), so their partition stays one page.</summary>
    public const int MaxSlots = 100;
}
