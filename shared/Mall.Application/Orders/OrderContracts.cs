using System.Text.RegularExpressions;
using FluentValidation;
using Mall.Application.Platform;
using Mall.Domain.Cart;
using Mall.Domain.Orders;
using Mall.Domain.Promotions;

namespace Mall.Application.Orders;

public sealed class OrderOptions
{
    public const string SectionName = "Orders";

    /// <summary>The largest <see cref="MaxLinesPerOrder"/> allowed: with its refunds an order stays well within one stored document.</summary>
    public const int MostLinesPerOrder = 100;

    public int UnpaidTimeoutMinutes { get; set; } = 30;

    public int AutoConfirmDays { get; set; } = 10;

    public int AfterSaleDays { get; set; } = 7;

    public long ShippingFeeFen { get; set; } = 1000;

    public long FreeShippingThresholdFen { get; set; } = 9900;

    public int MaxLinesPerOrder { get; set; } = 50;

    public OrderPolicy ToPolicy() => new()
    {
        UnpaidTimeout = TimeSpan.FromMinutes(UnpaidTimeoutMinutes),
        AutoConfirmAfter = TimeSpan.FromDays(AutoConfirmDays),
        AfterSaleWindow = TimeSpan.FromDays(AfterSaleDays),
        ShippingFeeFen = ShippingFeeFen,
        FreeShippingThresholdFen = FreeShippingThresholdFen,
        MaxLinesPerOrder = MaxLinesPerOrder,
    };
}

public sealed record OrderItemRequest(string? SkuId, int? Quantity);

public sealed record AddressRequest
{
    public string? Recipient { get; init; }

    public string? Phone { get; init; }

    public string? Province { get; init; }

    public string? City { get; init; }

    public string? District { get; init; }

    public string? Detail { get; init; }

    public string? PostalCode { get; init; }

    /// <summary>The address, once <see cref="AddressRequestValidator"/> passed it.</summary>
    public ShippingAddress ToShippingAddress() => new(Recipient!, Phone!, Province!, City!, District!, Detail!, PostalCode);
}

/// <summary>Either explicit items or the whole cart; the address is needed to create, not to preview (and validated whenever given).</summary>
public sealed record CheckoutRequest
{
    public IReadOnlyList<OrderItemRequest>? Items { get; init; }

    public bool? FromCart { get; init; }

    public AddressRequest? Address { get; init; }

    public string? Remark { get; init; }

    /// <summary>At most one coupon per order (the stacking rule); see SPEC §4.6.</summary>
    public string? CouponId { get; init; }

    /// <summary>Points to pay with (members); fewer are taken if the cap or the amount allow fewer.</summary>
    public long? Points { get; init; }

    /// <summary>Take the gift option or not; null: its default.</summary>
    public bool? Gift { get; init; }
}

public sealed record ShipRequest(string? Carrier, string? TrackingNumber);

public sealed record RefundRequestBody(string? Reason, IReadOnlyList<OrderItemRequest>? Items, long? AmountFen);

public sealed record ApproveRefundRequest(bool? Restock, string? Note);

public sealed record RejectRefundRequest(string? Note);

public sealed record ShippingAddress(string Recipient, string Phone, string Province, string City, string District, string Detail, string? PostalCode);

public sealed record OrderPreview(IReadOnlyList<OrderLine> Lines, PriceBreakdown Pricing)
{
    public long PointsUsed { get; init; }

    public long PointsBalance { get; init; }

    /// <summary>The gift option on offer (null: none) and whether this checkout takes it.</summary>
    public GiftChoice? Gift { get; init; }

    public bool PriorityShipping { get; init; }
}

public sealed record PaymentView(long AmountFen, DateTimeOffset PaidAt, string TransactionId);

/// <summary>
/// An order as its owner sees it: what they bought, paid and got back, where it ships (their full address) and
/// when its status changed. Nothing of the mall's own dealings: stock returns, WeChat's refund ids and
/// retries, the shipping upload, or why a status changed.
/// </summary>
public sealed record OrderView(
    string Id,
    string CustomerId,
    OrderStatus Status,
    IReadOnlyList<OrderLineView> Lines,
    PriceBreakdown Pricing,
    ShippingAddress Address,
    string? Remark,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    PaymentView? Payment,
    ShipmentView? Shipment,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? AfterSaleEndsAt,
    IReadOnlyList<RefundView> Refunds,
    long RefundedFen,
    IReadOnlyList<OrderStatusView> History)
{
    public long PointsUsed { get; init; }

    public GiftChoice? Gift { get; init; }

    public bool PriorityShipping { get; init; }
}

/// <summary>A line of an order as its owner sees it: the price paid, the list price it was cut from, and how many were refunded.</summary>
public sealed record OrderLineView(string SkuId, string ProductId, string Title, string SkuName, long UnitPriceFen, long? ListUnitPriceFen, int Quantity, int RefundedQuantity, long LineTotalFen)
{
    public static OrderLineView Of(OrderLine line) =>
        new(line.SkuId, line.ProductId, line.Title, line.SkuName, line.UnitPriceFen, line.ListUnitPriceFen, line.Quantity, line.RefundedQuantity, line.LineTotalFen);
}

public sealed record ShipmentView(string Carrier, string TrackingNumber, DateTimeOffset ShippedAt);

/// <summary>A refund as the customer sees it: how much, for what, and where it stands (a note is the operator's word to them).</summary>
public sealed record RefundView(string Id, RefundStatus Status, long AmountFen, IReadOnlyList<RefundLine> Lines, string Reason, bool Automatic, long PointsReturned, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, string? Note)
{
    public static RefundView Of(Refund refund) =>
        new(refund.Id, refund.Status, refund.AmountFen, refund.Lines, refund.Reason, refund.Automatic, refund.PointsReturned, refund.RequestedAt, refund.CompletedAt, refund.Note);
}

public sealed record OrderStatusView(OrderStatus Status, DateTimeOffset At);

/// <summary>
/// An order as an operator sees it: personal data masked (the full recipient is the audited
/// manage/orders/{orderId}/recipient), and everything of the refunds, the shipping upload and the status history.
/// </summary>
public sealed record OperatorOrderView(
    string Id,
    string CustomerId,
    OrderStatus Status,
    IReadOnlyList<OrderLine> Lines,
    PriceBreakdown Pricing,
    ShippingAddress Address,
    string? Remark,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    PaymentView? Payment,
    Shipment? Shipment,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? AfterSaleEndsAt,
    IReadOnlyList<Refund> Refunds,
    long RefundedFen,
    IReadOnlyList<StatusChange> History)
{
    public long PointsUsed { get; init; }

    public GiftChoice? Gift { get; init; }

    public bool PriorityShipping { get; init; }
}

public sealed record OrderPage(IReadOnlyList<OrderView> Items, string? ContinuationToken);

public sealed record OperatorOrderPage(IReadOnlyList<OperatorOrderView> Items, string? ContinuationToken);

/// <summary>Who an order ships to, unmasked: for the operator who fulfils it (every read is audited).</summary>
public sealed record OrderRecipient(string OrderId, string CustomerId, ShippingAddress Address);

/// <summary>An order whose shipping info WeChat has not taken, for operators (manage/shipping-uploads/failed).</summary>
public sealed record ShippingUploadFailureView(
    string OrderId,
    OrderStatus Status,
    string TransactionId,
    string Carrier,
    string TrackingNumber,
    DateTimeOffset ShippedAt,
    ShippingUploadFailure Failure);

/// <summary>Index row: one per order in the customer's partition, newest first.</summary>
public sealed record CustomerOrderEntry(string OrderId, DateTimeOffset CreatedAt)
{
    public static DocumentKey KeyOf(Order order) => new(order.CustomerId, $"{DateTimeOffset.MaxValue.UtcTicks - order.CreatedAt.UtcTicks:D19}-{order.Id}");
}

public sealed partial class CheckoutRequestValidator : AbstractValidator<CheckoutRequest>
{
    public CheckoutRequestValidator()
    {
        RuleFor(r => r.Items).NotEmpty().When(r => r.FromCart != true).WithMessage("Give items, or set fromCart to true.");
        RuleFor(r => r.Items).Empty().When(r => r.FromCart == true).WithMessage("Give items or fromCart, not both.");
        RuleFor(r => r.Items).Must(i => i!.Count <= CartRules.MaxLines).When(r => r.Items is not null).WithMessage($"At most {CartRules.MaxLines} items.");
        RuleFor(r => r.Items).Must(i => i!.Select(x => x.SkuId).Distinct().Count() == i!.Count).When(r => r.Items is not null).WithMessage("Each SKU may appear once.");
        RuleForEach(r => r.Items).ChildRules(item =>
        {
            item.RuleFor(i => i.SkuId).NotEmpty().MustBeAnId();
            item.RuleFor(i => i.Quantity).NotNull().InclusiveBetween(1, CartRules.MaxQuantityPerLine);
        });
        RuleFor(r => r.Remark).MaximumLength(200);
        RuleFor(r => r.CouponId).MustBeAnId();
        RuleFor(r => r.Points).InclusiveBetween(0, 10_000_000);
        RuleFor(r => r.Address!).SetValidator(new AddressRequestValidator()).When(r => r.Address is not null);
    }
}

public sealed partial class AddressRequestValidator : AbstractValidator<AddressRequest>
{
    public AddressRequestValidator()
    {
        RuleFor(a => a.Recipient).NotEmpty().MaximumLength(20);
        RuleFor(a => a.Phone).NotEmpty().Matches(MainlandMobile()).WithMessage("Must be an 11-digit mainland China mobile number.");
        RuleFor(a => a.Province).NotEmpty().MaximumLength(20);
        RuleFor(a => a.City).NotEmpty().MaximumLength(20);
        RuleFor(a => a.District).NotEmpty().MaximumLength(20);
        RuleFor(a => a.Detail).NotEmpty().MaximumLength(120);
        RuleFor(a => a.PostalCode).Matches("^[0-9]{6}$").When(a => a.PostalCode is not null);
    }

    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex MainlandMobile();
}

public sealed class ShipRequestValidator : AbstractValidator<ShipRequest>
{
    /// <summary>Express company codes as WeChat's shipping-info API expects them (delivery_id list).</summary>
    public static readonly IReadOnlySet<string> Carriers = new HashSet<string>(StringComparer.Ordinal)
    {
        "SF", "JD", "EMS", "YTO", "ZTO", "STO", "YD", "JTSD", "DBL", "BEST", "ZJS", "YZPY",
    };

    public ShipRequestValidator()
    {
        RuleFor(r => r.Carrier).NotEmpty().Must(c => Carriers.Contains(c!)).WithMessage($"Use a WeChat express company code: {string.Join(", ", Carriers)}.");
        RuleFor(r => r.TrackingNumber).NotEmpty().MaximumLength(64).Matches("^[A-Za-z0-9-]+$");
    }
}

public sealed class RefundRequestBodyValidator : AbstractValidator<RefundRequestBody>
{
    public RefundRequestBodyValidator()
    {
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(80);
        RuleFor(r => r.AmountFen).GreaterThan(0).When(r => r.AmountFen is not null);
        RuleFor(r => r.AmountFen).Null().When(r => r.Items is { Count: > 0 }).WithMessage("Give items or amountFen, not both.");
        RuleForEach(r => r.Items).ChildRules(item =>
        {
            item.RuleFor(i => i.SkuId).NotEmpty().MustBeAnId();
            item.RuleFor(i => i.Quantity).NotNull().InclusiveBetween(1, CartRules.MaxQuantityPerLine);
        });
    }
}

public sealed class ApproveRefundRequestValidator : AbstractValidator<ApproveRefundRequest>
{
    public ApproveRefundRequestValidator() => RuleFor(r => r.Note).MaximumLength(200);
}

public sealed class RejectRefundRequestValidator : AbstractValidator<RejectRefundRequest>
{
    public RejectRefundRequestValidator() => RuleFor(r => r.Note).NotEmpty().MaximumLength(200);
}
