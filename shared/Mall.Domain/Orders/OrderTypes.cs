using Mall.Domain.Common;

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

    /// <summary>
    /// Never placed: a step of its placement was refused (out of stock, coupon gone, …) and everything it took
    /// was given back. Kept for good, never shown to the customer: its Idempotency-Key keeps answering the same
    /// refusal, and its order id (which its steps are keyed by) is never placed again.
    /// </summary>
    Withdrawn,
}

/// <summary>Why a placement was withdrawn: the refusal its Idempotency-Key keeps answering.</summary>
public sealed record PlacementRefusal(ErrorCode Code, string Message)
{
    public DomainException ToException() => new(Code, Message);
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
public sealed record OrderSource(string Kind, string CampaignId, string ReferenceId)
{
    /// <summary>A presale deposit: it reserves the goods that the presale's balance order ships (see <see cref="Order.IsDeposit"/>).</summary>
    public const string PresaleDeposit = "presaleDeposit";

    /// <summary>A flash-sale order: its unit comes from the sale's shards, not from normal stock (see <see cref="Order.IsFlashSale"/>).</summary>
    public const string FlashSale = "flashSale";

    /// <summary>A bargain's order: one unit at the price the bargain reached (its campaign and the bargain as reference).</summary>
    public const string Bargain = "bargain";
}

/// <param name="DiscountFen">Coupon and points together, off the goods.</param>
public sealed record PriceBreakdown(long GoodsFen, long DiscountFen, long ShippingFen, long PayableFen)
{
    /// <summary>The part of <see cref="DiscountFen"/> paid with points.</summary>
    public long PointsFen { get; init; }

    /// <summary>Chosen extras outside the goods (the gift option).</summary>
    public long AddOnFen { get; init; }
}

/// <param name="Currency">WeChat's amount.currency; the mall sells in CNY only.</param>
public sealed record PaymentRecord(string TransactionId, long AmountFen, string? Currency, DateTimeOffset PaidAt, string? PayerOpenId)
{
    public const string Cny = "CNY";

    /// <summary>
    /// A fresh id of the call that recorded it: of calls that race or retry to record one payment, the one whose id
    /// is stored is the one that recorded it, even when its write's answer was lost.
    /// </summary>
    public string? RecordedBy { get; init; }
}

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

    /// <summary>To be submitted to WeChat (again, at <see cref="Refund.RetryAt"/>, after a refusal WeChat means to be retried).</summary>
    Approved,
    Processing,
    Succeeded,
    Rejected,

    /// <summary>WeChat refused it for good, or closed it; still owed until an operator resubmits it.</summary>
    Failed,

    /// <summary>
    /// WeChat could not pay it back to the original account (e.g. the buyer's card was closed): the
    /// money is held at WeChat until an operator names another account (abnormal refund); not final.
    /// </summary>
    Abnormal,
}

/// <summary>Where an abnormal refund goes instead of the original account (WeChat's 异常退款 types).</summary>
public enum AbnormalRefundDestination
{
    /// <summary>A debit card the buyer gives.</summary>
    UserBankCard,

    /// <summary>The merchant's bank account; the merchant pays the buyer back itself.</summary>
    MerchantBankCard,
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

    /// <summary>
    /// Points of the order's redemption this refund gives back when it succeeds: the refunded units'
    /// share (see <see cref="RefundCalculator.PointsForLines"/>); none for an amount-only refund.
    /// </summary>
    public long PointsReturned { get; init; }

    /// <summary>Whether the refunded units go back into stock when the refund succeeds.</summary>
    public bool Restock { get; init; }

    /// <summary>The refunded units are back in stock (set after the stock counters took them).</summary>
    public bool StockReturned { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? WeChatRefundId { get; init; }

    public string? Note { get; init; }

    /// <summary>Submissions WeChat refused so far.</summary>
    public int SubmitAttempts { get; init; }

    /// <summary>WeChat's latest word against it (error code and message, or ABNORMAL), for operators.</summary>
    public string? LastError { get; init; }

    /// <summary>When an approved refund WeChat refused (retryably) is submitted again.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>The refund that took over after WeChat closed this one (a closed out_refund_no cannot be reused).</summary>
    public string? SupersededBy { get; init; }

    /// <summary>Where an operator sent the money after WeChat reported the refund ABNORMAL.</summary>
    public AbnormalRefundDestination? AbnormalRefundTo { get; init; }

    /// <summary>Money is on its way (or held at WeChat): the order takes one refund at a time.</summary>
    public bool IsActive => Status is RefundStatus.Requested or RefundStatus.Approved or RefundStatus.Processing or RefundStatus.Abnormal;

    /// <summary>Not settled for good: waiting for a decision, for WeChat, or for an operator to resubmit it.</summary>
    public bool IsOpen => IsActive || (Status == RefundStatus.Failed && SupersededBy is null);

    /// <summary>How long after the <paramref name="attempts"/>-th retryable refusal to submit again: 1, 2, 4… minutes, at most <paramref name="longest"/>.</summary>
    public static TimeSpan RetryDelay(int attempts, TimeSpan longest) =>
        TimeSpan.FromMinutes(Math.Min(longest.TotalMinutes, Math.Pow(2, Math.Min(attempts - 1, 20))));
}

public sealed record StatusChange(OrderStatus Status, DateTimeOffset At, string Reason);

/// <summary>The order-related settings operators can tune (SPEC §6); the defaults live in OrderOptions only.</summary>
public sealed record OrderPolicy
{
    public required TimeSpan UnpaidTimeout { get; init; }

    public required TimeSpan AutoConfirmAfter { get; init; }

    public required TimeSpan AfterSaleWindow { get; init; }

    public required long ShippingFeeFen { get; init; }

    public required long FreeShippingThresholdFen { get; init; }

    public required int MaxLinesPerOrder { get; init; }
}
