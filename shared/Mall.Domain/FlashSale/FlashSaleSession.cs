using Mall.Domain.Common;

namespace Mall.Domain.FlashSale;

/// <summary>
/// A flash sale 秒杀 (one 场次): <see cref="Quantity"/> units of one SKU moved out of its normal stock
/// for the sale, sold at <see cref="PriceFen"/> between <see cref="StartsAt"/> and <see cref="EndsAt"/>,
/// at most <see cref="PerCustomerLimit"/> per customer. The units live in <see cref="Shards"/> shards
/// (see <see cref="FlashShard"/>); when the sale ends or is cancelled, what no order holds goes back
/// to normal stock.
/// </summary>
public sealed record FlashSaleSession
{
    /// <summary>Most units one sale may hold: its shards are read to release an order or to end the sale.</summary>
    public const int MaxQuantity = 20_000;

    public const int MaxShards = 100;

    /// <summary>Most units one shard holds, so a shard (the ids of the orders holding its units) stays a few KiB.</summary>
    public const int MaxUnitsPerShard = 200;

    public required string Id { get; init; }

    public required string ProductId { get; init; }

    public required string SkuId { get; init; }

    public required long PriceFen { get; init; }

    public required int Quantity { get; init; }

    public required int PerCustomerLimit { get; init; }

    public required DateTimeOffset StartsAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }

    public required int Shards { get; init; }

    public required FlashSaleStatus Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was cancelled or ended early (null: it runs to <see cref="EndsAt"/>).</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>Units that went back to normal stock when the sale closed (null: not closed yet).</summary>
    public int? UnsoldReturned { get; init; }

    /// <summary>Why its creation was refused (it overlaps another sale of the SKU, or its quantity was not in stock); it is cancelled.</summary>
    public FlashSaleRefusal? Refusal { get; init; }

    public FlashSalePhase PhaseAt(DateTimeOffset now) => Status switch
    {
        FlashSaleStatus.Preparing => FlashSalePhase.Preparing,
        FlashSaleStatus.Cancelled => FlashSalePhase.Cancelled,
        FlashSaleStatus.Ended => FlashSalePhase.Ended,
        _ when now < StartsAt => FlashSalePhase.Upcoming,
        _ when now < EndsAt => FlashSalePhase.Live,
        _ => FlashSalePhase.Ended,
    };

    /// <summary>Whether its window overlaps [<paramref name="from"/>, <paramref name="to"/>) while it still counts.</summary>
    public bool Overlaps(DateTimeOffset from, DateTimeOffset to) =>
        Status is FlashSaleStatus.Preparing or FlashSaleStatus.Scheduled && StartsAt < to && from < EndsAt;

    /// <summary>Shards for a quantity: at least 16 (so a burst spreads), at most <see cref="MaxUnitsPerShard"/> units each.</summary>
    public static int ShardsFor(int quantity) => Math.Clamp(Math.Max((quantity + MaxUnitsPerShard - 1) / MaxUnitsPerShard, 16), 1, Math.Min(quantity, MaxShards));

    /// <summary>Units in shard <paramref name="shard"/>: the quantity spread as evenly as possible.</summary>
    public int CapacityOf(int shard) => (Quantity / Shards) + (shard < Quantity % Shards ? 1 : 0);

    public FlashSaleSession Scheduled() => Status == FlashSaleStatus.Preparing ? this with { Status = FlashSaleStatus.Scheduled } : this;

    /// <summary>Cancelled before it starts: nothing sold, every unit goes back.</summary>
    public FlashSaleSession Cancel(DateTimeOffset now) => PhaseAt(now) switch
    {
        FlashSalePhase.Cancelled => this,
        FlashSalePhase.Upcoming or FlashSalePhase.Preparing => this with { Status = FlashSaleStatus.Cancelled, StoppedAt = now },
        _ => throw new DomainException(ErrorCode.InvalidOrderState, $"Flash sale {Id} has started; end it early instead of cancelling it."),
    };

    /// <summary>Ended early by the operator while it runs.</summary>
    public FlashSaleSession EndEarly(DateTimeOffset now) => PhaseAt(now) switch
    {
        FlashSalePhase.Live => this with { EndsAt = now, StoppedAt = now },
        FlashSalePhase.Ended => this,
        _ => throw new DomainException(ErrorCode.InvalidOrderState, $"Flash sale {Id} has not started; cancel it instead."),
    };

    /// <summary>
    /// Closed: its shards are closed and, all told, <paramref name="unsold"/> units went back to normal
    /// stock (the most any closing counted: one running beside a late creation may count fewer).
    /// </summary>
    public FlashSaleSession Closed(int unsold)
    {
        var returned = Math.Max(UnsoldReturned ?? 0, unsold);
        return Status switch
        {
            FlashSaleStatus.Ended or FlashSaleStatus.Cancelled when UnsoldReturned == returned => this,
            FlashSaleStatus.Cancelled => this with { UnsoldReturned = returned },
            _ => this with { Status = FlashSaleStatus.Ended, UnsoldReturned = returned },
        };
    }

    /// <summary>Its creation was refused: cancelled before anything was sold; a retry with the same key answers the same.</summary>
    public FlashSaleSession Refused(FlashSaleRefusal refusal, DateTimeOffset now) =>
        Status == FlashSaleStatus.Preparing ? this with { Status = FlashSaleStatus.Cancelled, StoppedAt = now, Refusal = refusal } : this;

    /// <summary>Why a reservation cannot be made now, or null when it may try for a unit.</summary>
    public DomainException? RefusalAt(DateTimeOffset now) => PhaseAt(now) switch
    {
        FlashSalePhase.Live => null,
        FlashSalePhase.Upcoming or FlashSalePhase.Preparing => new DomainException(ErrorCode.FlashSaleNotStarted, $"This flash sale starts at {StartsAt:O}."),
        _ => new DomainException(ErrorCode.FlashSaleEnded, "This flash sale has ended."),
    };
}

/// <summary>Why a sale's creation was refused, as its creator was (and a retry with the same key is) told.</summary>
public sealed record FlashSaleRefusal(ErrorCode Code, string Field, string Message)
{
    public DomainException ToException() =>
        new(Code, Message + " Create the sale again with a new Idempotency-Key.", new Dictionary<string, string[]> { [Field] = [Message] });
}

public enum FlashSaleStatus
{
    /// <summary>Created; its units are being moved out of normal stock into its shards.</summary>
    Preparing,
    Scheduled,
    Cancelled,

    /// <summary>Closed at its end (or early): the unsold units went back to normal stock.</summary>
    Ended,
}

/// <summary>Where a sale stands at a moment (what customers see).</summary>
public enum FlashSalePhase
{
    Preparing,
    Upcoming,
    Live,
    Ended,
    Cancelled,
}
