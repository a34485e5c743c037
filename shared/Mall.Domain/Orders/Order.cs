using Mall.Domain.Common;
using Mall.Domain.Promotions;

namespace Mall.Domain.Orders;

/// <summary>The next state of an order and the events the change produced (none when nothing changed).</summary>
public sealed record OrderChange(Order Order, IReadOnlyList<IntegrationEvent> Events, bool Changed)
{
    public static OrderChange Unchanged(Order order) => new(order, [], false);

    public static OrderChange To(Order order, params IntegrationEvent[] events) => new(order, events, true);
}

/// <summary>
/// An order and every rule about how it may change. Each transition is a pure function from the
/// current state to the next; repeating a transition that already happened is a no-op (so webhooks,
/// timers and retries can call them freely) and an impossible one throws <see cref="DomainException"/>.
/// </summary>
public sealed record Order
{
    public required string Id { get; init; }

    public required string CustomerId { get; init; }

    public required string PayerOpenId { get; init; }

    public required OrderStatus Status { get; init; }

    public required IReadOnlyList<OrderLine> Lines { get; init; }

    public required PriceBreakdown Pricing { get; init; }

    /// <summary>Shipping address, encrypted (personal data).</summary>
    public required string ProtectedAddress { get; init; }

    public string? Remark { get; init; }

    /// <summary>Hash of the create request, to tell an idempotent retry from a reused Idempotency-Key.</summary>
    public required string RequestFingerprint { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public string? PrepayId { get; init; }

    public DateTimeOffset? PrepayCreatedAt { get; init; }

    public PaymentRecord? Payment { get; init; }

    /// <summary>A payment that arrived after the order was closed or cancelled; refunded automatically.</summary>
    public PaymentRecord? LatePayment { get; init; }

    public Shipment? Shipment { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public DateTimeOffset? AfterSaleEndsAt { get; init; }

    public bool AfterSaleClosed { get; init; }

    public IReadOnlyList<Refund> Refunds { get; init; } = [];

    /// <summary>The coupon this order used (given back if the order is never paid or is refunded in full).</summary>
    public string? CouponId { get; init; }

    /// <summary>Points spent on this order (given back if it is never paid or is refunded in full).</summary>
    public long PointsUsed { get; init; }

    /// <summary>The gift option as offered and chosen at checkout.</summary>
    public GiftChoice? Gift { get; init; }

    /// <summary>Priced with the new-user price (a rule for Potential customers), which the customer holds for this order only.</summary>
    public bool SegmentOffer { get; init; }

    /// <summary>The customer's tier ships first (a member benefit), fixed when the order was placed.</summary>
    public bool PriorityShipping { get; init; }

    /// <summary>The campaign this order belongs to; null for a plain purchase.</summary>
    public OrderSource? Source { get; init; }

    /// <summary>
    /// Whether the order's lines reserve and sell stock. False for an order that pays for goods
    /// another order already holds (a presale balance).
    /// </summary>
    public bool HoldsStock { get; init; } = true;

    /// <summary>
    /// Why a paid order may not ship yet (e.g. its group has not filled); null when it may.
    /// </summary>
    public string? ShippingHold { get; init; }

    public IReadOnlyList<StatusChange> History { get; init; } = [];

    public long RefundedFen => Refunds.Where(r => r.Status == RefundStatus.Succeeded && !IsLatePaymentRefund(r)).Sum(r => r.AmountFen);

    /// <summary>What can still be refunded: paid, minus refunded, minus refunds under way.</summary>
    public long RefundableFen =>
        (Payment?.AmountFen ?? 0) - Refunds.Where(r => (r.Status == RefundStatus.Succeeded || r.IsActive) && !IsLatePaymentRefund(r)).Sum(r => r.AmountFen);

    public Refund? ActiveRefund => Refunds.FirstOrDefault(r => r.IsActive);

    public bool IsAwaitingPayment => Status is OrderStatus.Reserving or OrderStatus.PendingPayment;

    /// <summary>Stock reserved for this order is marked with this operation id on each SKU counter.</summary>
    public string StockOperationId => $"order:{Id}";

    public static Order Create(
        string id,
        string customerId,
        string payerOpenId,
        IReadOnlyList<OrderLine> lines,
        PriceBreakdown pricing,
        string protectedAddress,
        string? remark,
        string requestFingerprint,
        DateTimeOffset now,
        OrderPolicy policy) => new()
        {
            Id = id,
            CustomerId = customerId,
            PayerOpenId = payerOpenId,
            Status = OrderStatus.Reserving,
            Lines = lines,
            Pricing = pricing,
            ProtectedAddress = protectedAddress,
            Remark = remark,
            RequestFingerprint = requestFingerprint,
            CreatedAt = now,
            ExpiresAt = now + policy.UnpaidTimeout,
            History = [new StatusChange(OrderStatus.Reserving, now, "created")],
        };

    /// <summary>Stock is reserved: the order can be paid.</summary>
    public OrderChange ConfirmReserved(DateTimeOffset now) =>
        Status == OrderStatus.Reserving
            ? OrderChange.To(MoveTo(OrderStatus.PendingPayment, now, "stock reserved"), new OrderCreated(Facts) { OccurredAt = now })
            : OrderChange.Unchanged(this);

    public OrderChange RecordPrepay(string prepayId, DateTimeOffset now)
    {
        EnsurePayable(now);
        return PrepayId == prepayId ? OrderChange.Unchanged(this) : OrderChange.To(this with { PrepayId = prepayId, PrepayCreatedAt = now });
    }

    /// <summary>Throws unless the order can still be paid at <paramref name="now"/>.</summary>
    public void EnsurePayable(DateTimeOffset now)
    {
        if (Status != OrderStatus.PendingPayment)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {Id} is {Status} and cannot be paid.");
        }

        if (now >= ExpiresAt)
        {
            throw new DomainException(ErrorCode.OrderExpired, $"Order {Id} expired at {ExpiresAt:O}.");
        }
    }

    /// <summary>
    /// A successful WeChat payment for this order (from a notification or a query). Paid exactly once;
    /// the same transaction again changes nothing; a payment after the order closed is kept and
    /// refunded automatically.
    /// </summary>
    public OrderChange ApplyPayment(PaymentRecord payment, DateTimeOffset now)
    {
        if (payment.AmountFen != Pricing.PayableFen)
        {
            throw new DomainException(ErrorCode.AmountMismatch, $"Payment of {payment.AmountFen} fen does not match order {Id} ({Pricing.PayableFen} fen).");
        }

        if (Payment?.TransactionId == payment.TransactionId || LatePayment?.TransactionId == payment.TransactionId)
        {
            return OrderChange.Unchanged(this);
        }

        switch (Status)
        {
            case OrderStatus.PendingPayment:
                // Accepted even slightly after ExpiresAt: WeChat took the money before our close ran.
                var paid = MoveTo(OrderStatus.Paid, now, "paid") with { Payment = payment };
                return OrderChange.To(paid, new OrderPaid(Facts, payment.AmountFen, payment.TransactionId, payment.PaidAt) { OccurredAt = now });

            case OrderStatus.Cancelled or OrderStatus.Closed when LatePayment is null:
                var refund = new Refund
                {
                    Id = NextRefundId(),
                    Status = RefundStatus.Approved,
                    AmountFen = payment.AmountFen,
                    Reason = "Paid after the order was closed",
                    Automatic = true,
                    Restock = false,
                    RequestedAt = now,
                };
                var late = this with { LatePayment = payment, Refunds = [.. Refunds, refund] };
                return OrderChange.To(late, new OrderPaidAfterClose(Facts, payment.AmountFen, payment.TransactionId, refund.Id) { OccurredAt = now });

            default:
                throw new DomainException(ErrorCode.InvalidOrderState, $"Order {Id} is {Status}; unexpected payment {payment.TransactionId}.");
        }
    }

    public OrderChange Cancel(DateTimeOffset now, string reason)
    {
        if (Status == OrderStatus.Cancelled)
        {
            return OrderChange.Unchanged(this);
        }

        if (!IsAwaitingPayment)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {Id} is {Status}; only unpaid orders can be cancelled (paid orders are refunded).");
        }

        return OrderChange.To(MoveTo(OrderStatus.Cancelled, now, reason), new OrderCancelled(Facts) { OccurredAt = now });
    }

    /// <summary>
    /// The system gives all the money back (a group that did not fill, a presale deposit returned):
    /// an automatic, already approved refund of everything still refundable. Idempotent: once such a
    /// refund exists, asking again changes nothing.
    /// </summary>
    public OrderChange RefundEverything(string reason, bool restock, DateTimeOffset now)
    {
        if (Refunds.Any(r => r.Automatic && r.Reason == reason && r.Status != RefundStatus.Failed))
        {
            return OrderChange.Unchanged(this);
        }

        if (Status is not (OrderStatus.Paid or OrderStatus.Shipped or OrderStatus.Completed) || RefundableFen <= 0)
        {
            throw new DomainException(ErrorCode.RefundNotAllowed, $"Order {Id} is {Status}; nothing to refund.");
        }

        if (ActiveRefund is { } active)
        {
            throw new DomainException(ErrorCode.RefundInProgress, $"Refund {active.Id} for order {Id} is still in progress.");
        }

        var lines = Lines.Where(l => l.Quantity > l.RefundedQuantity).Select(l => new RefundLine(l.SkuId, l.Quantity - l.RefundedQuantity)).ToList();
        var refund = new Refund
        {
            Id = NextRefundId(),
            Status = RefundStatus.Approved,
            AmountFen = RefundableFen,
            Lines = lines,
            Reason = reason,
            Automatic = true,
            Restock = restock && HoldsStock && Status == OrderStatus.Paid,
            RequestedAt = now,
        };
        return OrderChange.To(this with { Refunds = [.. Refunds, refund] }, new RefundApproved(RefundFactsOf(refund)) { OccurredAt = now });
    }

    /// <summary>The reason to hold the order back is gone (its group filled). Idempotent.</summary>
    public OrderChange ReleaseShippingHold() =>
        ShippingHold is null ? OrderChange.Unchanged(this) : OrderChange.To(this with { ShippingHold = null });

    /// <summary>Closes an unpaid order at its expiry; before expiry, or once settled otherwise, nothing changes.</summary>
    public OrderChange CloseIfExpired(DateTimeOffset now) =>
        IsAwaitingPayment && now >= ExpiresAt
            ? OrderChange.To(MoveTo(OrderStatus.Closed, now, "unpaid at expiry"), new OrderClosed(Facts) { OccurredAt = now })
            : OrderChange.Unchanged(this);

    public OrderChange Ship(string carrier, string trackingNumber, DateTimeOffset now)
    {
        if (Shipment is not null && Shipment.Carrier == carrier && Shipment.TrackingNumber == trackingNumber)
        {
            return OrderChange.Unchanged(this);
        }

        if (Status != OrderStatus.Paid)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {Id} is {Status}; only paid orders can be shipped.");
        }

        if (ActiveRefund is not null)
        {
            throw new DomainException(ErrorCode.RefundInProgress, $"Order {Id} has refund {ActiveRefund.Id} in progress; settle it before shipping.");
        }

        if (ShippingHold is not null)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {Id} cannot ship yet: {ShippingHold}.");
        }

        var shipped = MoveTo(OrderStatus.Shipped, now, "shipped") with { Shipment = new Shipment(carrier, trackingNumber, now) };
        return OrderChange.To(shipped, new OrderShipped(Facts, carrier, trackingNumber) { OccurredAt = now });
    }

    public OrderChange MarkShippingUploaded(DateTimeOffset now) => ChangeShipment(s => s.Uploaded(now));

    public OrderChange RecordShippingUploadFailure(string? code, string reason, bool gaveUp, DateTimeOffset now) =>
        ChangeShipment(s => s.UploadFailed(code, reason, gaveUp, now));

    public OrderChange RetryShippingUpload() => ChangeShipment(s => s.RetryUpload());

    private OrderChange ChangeShipment(Func<Shipment, Shipment> change) =>
        Shipment is not null && change(Shipment) is var next && next != Shipment ? OrderChange.To(this with { Shipment = next }) : OrderChange.Unchanged(this);

    /// <summary>The customer confirms receipt, or the system does once <see cref="OrderPolicy.AutoConfirmAfter"/> has passed.</summary>
    public OrderChange ConfirmReceipt(DateTimeOffset now, OrderPolicy policy, bool automatic)
    {
        if (Status == OrderStatus.Completed || (automatic && Status != OrderStatus.Shipped))
        {
            return OrderChange.Unchanged(this);
        }

        if (Status != OrderStatus.Shipped)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {Id} is {Status}; only shipped orders can be confirmed.");
        }

        if (automatic && now < Shipment!.ShippedAt + policy.AutoConfirmAfter)
        {
            return OrderChange.Unchanged(this);
        }

        var completed = MoveTo(OrderStatus.Completed, now, automatic ? "auto-confirmed" : "receipt confirmed") with
        {
            CompletedAt = now,
            AfterSaleEndsAt = now + policy.AfterSaleWindow,
        };
        return OrderChange.To(completed, new OrderCompleted(Facts) { OccurredAt = now });
    }

    /// <summary>The after-sale window has ended: from now on the order's money is final (commissions may settle).</summary>
    public OrderChange CloseAfterSale(DateTimeOffset now) =>
        Status == OrderStatus.Completed && !AfterSaleClosed && now >= AfterSaleEndsAt && ActiveRefund is null
            ? OrderChange.To(this with { AfterSaleClosed = true }, new OrderAfterSaleClosed(Facts) { OccurredAt = now })
            : OrderChange.Unchanged(this);

    /// <summary>
    /// A customer asks for money back: for some units (<paramref name="lines"/>) or, when empty, a
    /// plain amount. One refund is handled at a time; the amount never exceeds what is refundable.
    /// </summary>
    public OrderChange RequestRefund(IReadOnlyList<RefundLine> lines, long? amountFen, string reason, DateTimeOffset now)
    {
        var refundable = Status is OrderStatus.Paid or OrderStatus.Shipped
            || (Status == OrderStatus.Completed && now < AfterSaleEndsAt);
        if (!refundable)
        {
            throw new DomainException(ErrorCode.RefundNotAllowed, $"Order {Id} is {Status}{(Status == OrderStatus.Completed ? " and its after-sale window has ended" : string.Empty)}; it cannot be refunded.");
        }

        if (ActiveRefund is { } active)
        {
            throw new DomainException(ErrorCode.RefundInProgress, $"Refund {active.Id} for order {Id} is still in progress.");
        }

        var amount = lines.Count > 0 ? RefundCalculator.ForLines(this, lines) : amountFen ?? RefundableFen;
        if (amount <= 0 || amount > RefundableFen)
        {
            throw new DomainException(ErrorCode.RefundAmountExceeded, $"Refund amount must be between 1 and {RefundableFen} fen.", new Dictionary<string, string[]>
            {
                ["amountFen"] = [$"Must be between 1 and {RefundableFen}."],
            });
        }

        var refund = new Refund
        {
            Id = NextRefundId(),
            Status = RefundStatus.Requested,
            AmountFen = amount,
            Lines = lines,
            Reason = reason,
            Restock = lines.Count > 0 && Status == OrderStatus.Paid,
            RequestedAt = now,
        };
        return OrderChange.To(this with { Refunds = [.. Refunds, refund] }, new RefundRequested(RefundFactsOf(refund)) { OccurredAt = now });
    }

    /// <summary>An operator approves a requested refund; <paramref name="restock"/> overrides the default (e.g. goods received back).</summary>
    public OrderChange ApproveRefund(string refundId, bool? restock, string? note, DateTimeOffset now)
    {
        var refund = GetRefund(refundId);
        if (refund.Status is RefundStatus.Approved or RefundStatus.Processing or RefundStatus.Succeeded)
        {
            return OrderChange.Unchanged(this);
        }

        if (refund.Status != RefundStatus.Requested)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Refund {refundId} is {refund.Status} and cannot be approved.");
        }

        var approved = refund with { Status = RefundStatus.Approved, Restock = (restock ?? refund.Restock) && refund.Lines.Count > 0, Note = note };
        return OrderChange.To(WithRefund(approved), new RefundApproved(RefundFactsOf(approved)) { OccurredAt = now });
    }

    public OrderChange RejectRefund(string refundId, string note, DateTimeOffset now)
    {
        var refund = GetRefund(refundId);
        if (refund.Status == RefundStatus.Rejected)
        {
            return OrderChange.Unchanged(this);
        }

        if (refund.Status != RefundStatus.Requested)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Refund {refundId} is {refund.Status} and cannot be rejected.");
        }

        var rejected = refund with { Status = RefundStatus.Rejected, Note = note, CompletedAt = now };
        return OrderChange.To(WithRefund(rejected), new RefundRejected(RefundFactsOf(rejected)) { OccurredAt = now });
    }

    /// <summary>WeChat accepted the refund request and is processing it.</summary>
    public OrderChange MarkRefundSubmitted(string refundId, string? weChatRefundId)
    {
        var refund = GetRefund(refundId);
        return refund.Status == RefundStatus.Approved
            ? OrderChange.To(WithRefund(refund with { Status = RefundStatus.Processing, WeChatRefundId = weChatRefundId }))
            : OrderChange.Unchanged(this);
    }

    /// <summary>WeChat's final word on a refund (notification or query).</summary>
    public OrderChange CompleteRefund(string refundId, bool succeeded, long refundedFen, string? weChatRefundId, DateTimeOffset now)
    {
        var refund = GetRefund(refundId);
        if (refund.Status is RefundStatus.Succeeded or RefundStatus.Failed)
        {
            return OrderChange.Unchanged(this);
        }

        if (refund.Status is not (RefundStatus.Approved or RefundStatus.Processing))
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Refund {refundId} is {refund.Status}; WeChat cannot have processed it.");
        }

        if (!succeeded)
        {
            var failed = refund with { Status = RefundStatus.Failed, CompletedAt = now, WeChatRefundId = weChatRefundId ?? refund.WeChatRefundId };
            return OrderChange.To(WithRefund(failed), new RefundFailed(RefundFactsOf(failed)) { OccurredAt = now });
        }

        if (refundedFen != refund.AmountFen)
        {
            throw new DomainException(ErrorCode.AmountMismatch, $"WeChat refunded {refundedFen} fen for refund {refundId} of {refund.AmountFen} fen.");
        }

        var succeededRefund = refund with { Status = RefundStatus.Succeeded, CompletedAt = now, WeChatRefundId = weChatRefundId ?? refund.WeChatRefundId };
        var next = WithRefund(succeededRefund) with
        {
            Lines = Lines.Select(l => l with { RefundedQuantity = l.RefundedQuantity + succeededRefund.Lines.Where(r => r.SkuId == l.SkuId).Sum(r => r.Quantity) }).ToList(),
        };
        var events = new List<IntegrationEvent> { new RefundSucceeded(RefundFactsOf(succeededRefund)) { OccurredAt = now } };
        if (!IsLatePaymentRefund(succeededRefund) && next.RefundedFen == Payment?.AmountFen)
        {
            next = next.MoveTo(OrderStatus.Refunded, now, "fully refunded");
            events.Add(new OrderRefunded(Facts, next.RefundedFen) { OccurredAt = now });
        }

        return new OrderChange(next, events, true);
    }

    public OrderChange MarkRefundStockReturned(string refundId)
    {
        var refund = GetRefund(refundId);
        return refund.StockReturned ? OrderChange.Unchanged(this) : OrderChange.To(WithRefund(refund with { StockReturned = true }));
    }

    /// <summary>Refunds that succeeded and still owe units back to stock.</summary>
    public IEnumerable<Refund> RefundsAwaitingRestock =>
        Refunds.Where(r => r.Status == RefundStatus.Succeeded && r.Restock && !r.StockReturned);

    public Refund GetRefund(string refundId) =>
        Refunds.FirstOrDefault(r => r.Id == refundId) ?? throw DomainException.NotFound($"Refund {refundId}");

    private bool IsLatePaymentRefund(Refund refund) => refund.Automatic && LatePayment is not null && Payment is null;

    private string NextRefundId() => $"{Id}R{Refunds.Count + 1}";

    /// <summary>The order a refund id (out_refund_no, "{orderId}R{n}") belongs to.</summary>
    public static string? OrderIdOfRefund(string refundId)
    {
        var separator = refundId.LastIndexOf('R');
        return separator > 0 && separator < refundId.Length - 1 && refundId[(separator + 1)..].All(char.IsAsciiDigit) ? refundId[..separator] : null;
    }

    private Order WithRefund(Refund refund) => this with { Refunds = Refunds.Select(r => r.Id == refund.Id ? refund : r).ToList() };

    private Order MoveTo(OrderStatus status, DateTimeOffset now, string reason) =>
        this with { Status = status, History = [.. History, new StatusChange(status, now, reason)] };

    /// <summary>What every event of this order says about it.</summary>
    public OrderFacts Facts => new(Id, CustomerId, Pricing.PayableFen, Source, CouponId, SegmentOffer, PointsUsed);

    private RefundFacts RefundFactsOf(Refund refund) => new(Id, CustomerId, refund.Id, refund.AmountFen, refund.Automatic, Payment?.PaidAt, Source);
}
