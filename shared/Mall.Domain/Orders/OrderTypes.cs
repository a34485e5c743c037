namespace Mall.Domain.Orders;

public enum OrderStatus
{
    /// <summary>Created; stock is being reserved. Never visible to the customer in this state for long.</summary>
    Reserving,
    PendingPayment,
    Paid,
    Shipped,
    Completed,

    /// <summary>Cancelled by the customer before payment.</summary>
    Cancelled,

    /// <summary>Closed by the system: unpaid at expiry.</summary>
    Closed,

    /// <summary>Everything paid was refunded.</summary>
    Refunded,
}

public sealed record OrderLine(
    string SkuId,
    string ProductId,
    string Title,
    string SkuName,
    long UnitPriceFen,
    int Quantity,
    long LineTotalFen)
{
    /// <summary>Units already refunded (succeeded refunds).</summary>
    public int RefundedQuantity { get; init; }

    /// <summary>The catalog price when a limited-time discount set <see cref="UnitPriceFen"/>.</summary>
    public long? ListUnitPriceFen { get; init; }

    public string? PriceRuleId { get; init; }
}

/// <summary>
/// Where an order comes from when it is not a plain purchase: a campaign of some kind (group buy,
/// presale deposit or balance) and the business object inside it (the group, the reservation).
/// Carried on every order event so the campaign's process can react without loading the order.
/// </summary>
public sealed record OrderSource(string Kind, string CampaignId, string ReferenceId);

/// <param name="DiscountFen">Coupon and points together, off the goods.</param>
public sealed record PriceBreakdown(long GoodsFen, long DiscountFen, long ShippingFen, long PayableFen)
{
    /// <summary>The part of <see cref="DiscountFen"/> paid with points.</summary>
    public long PointsFen { get; init; }

    /// <summary>Chosen extras outside the goods (the gift option).</summary>
    public long AddOnFen { get; init; }
}

public sealed record PaymentRecord(string TransactionId, long AmountFen, DateTimeOffset PaidAt, string? PayerOpenId);

public sealed record Shipment(string Carrier, string TrackingNumber, DateTimeOffset ShippedAt)
{
    public DateTimeOffset? UploadedToWeChatAt { get; init; }

    /// <summary>Set while WeChat has not taken the shipping info; cleared once it has.</summary>
    public ShippingUploadFailure? UploadFailure { get; init; }

    public Shipment Uploaded(DateTimeOffset now) => UploadedToWeChatAt is null ? this with { UploadedToWeChatAt = now, UploadFailure = null } : this;

    public Shipment UploadFailed(string? code, string reason, bool gaveUp, DateTimeOffset now) =>
        UploadedToWeChatAt is null ? this with { UploadFailure = new ShippingUploadFailure(code, reason, (UploadFailure?.Attempts ?? 0) + 1, now, gaveUp) } : this;

    /// <summary>An operator fixed the cause (say, authorised the API): automatic attempts resume.</summary>
    public Shipment RetryUpload() => UploadFailure is { GaveUp: true } failure ? this with { UploadFailure = failure with { GaveUp = false } } : this;
}

public enum RefundStatus
{
    Requested,
    Approved,
    Processing,
    Succeeded,
    Rejected,
    Failed,
}

public sealed record RefundLine(string SkuId, int Quantity);

public sealed record Refund
{
    public required string Id { get; init; }

    public required RefundStatus Status { get; init; }

    public required long AmountFen { get; init; }

    /// <summary>Units being refunded; empty for an amount-only refund (e.g. a price adjustment).</summary>
    public IReadOnlyList<RefundLine> Lines { get; init; } = [];

    public required string Reason { get; init; }

    /// <summary>Started by the system (paid after close), not by the customer.</summary>
    public bool Automatic { get; init; }

    /// <summary>Whether the refunded units go back into stock when the refund succeeds.</summary>
    public bool Restock { get; init; }

    /// <summary>The refunded units are back in stock (set after the stock counters took them).</summary>
    public bool StockReturned { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? WeChatRefundId { get; init; }

    public string? Note { get; init; }

    public bool IsActive => Status is RefundStatus.Requested or RefundStatus.Approved or RefundStatus.Processing;
}

public sealed record StatusChange(OrderStatus Status, DateTimeOffset At, string Reason);

/// <summary>The order-related settings operators can tune (SPEC §6); defaults from the seed.</summary>
public sealed record OrderPolicy
{
    public TimeSpan UnpaidTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan AutoConfirmAfter { get; init; } = TimeSpan.FromDays(10);

    public TimeSpan AfterSaleWindow { get; init; } = TimeSpan.FromDays(7);

    public long ShippingFeeFen { get; init; } = 1000;

    public long FreeShippingThresholdFen { get; init; } = 9900;

    public int MaxLinesPerOrder { get; init; } = 50;
}
