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
    /// <summary>
    /// Refund requests a customer can make on one order, whatever became of them; it keeps the order
    /// document bounded (automatic refunds, which give money owed, are never refused).
    /// </summary>
    public const int MaxRefundRequests = 50;

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
    /// Why a paid order waits on its campaign (e.g. its group has not filled); null when it does not.
    /// Until released it neither ships nor is refunded on request: the campaign still counts it, and
    /// refunds it itself if it fails.
    /// </summary>
    public string? ShippingHold { get; init; }

    public IReadOnlyList<StatusChange> History { get; init; } = [];

    /// <summary>Why the placement was withdrawn; null unless <see cref="OrderStatus.Withdrawn"/>.</summary>
    public PlacementRefusal? Withdrawal { get; init; }

    /// <summary>
    /// A presale deposit: it holds the goods for the presale but never ships them (the paid balance
    /// order does), the customer cannot ask it back (the campaign returns or keeps it), and it is
    /// concluded when its presale ends (<see cref="ConcludeDeposit"/>).
    /// </summary>
    public bool IsDeposit => Source?.Kind == OrderSource.PresaleDeposit;

    /// <summary>Its unit was taken from a flash sale (not reserved in stock); refunded, it goes back to normal stock.</summary>
    public bool IsFlashSale => Source?.Kind == OrderSource.FlashSale;

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

    /// <summary>
    /// A placement refused before its order was written, recorded so its id can never be placed: withdrawn, holding
    /// nothing (no lines), with the address the request gave, as any withdrawn placement keeps it.
    /// </summary>
    public static Order Unwritten(string id, string customerId, string protectedAddress, string requestFingerprint, PlacementRefusal refusal, DateTimeOffset now) => new()
    {
        Id = id,
        CustomerId = customerId,
        PayerOpenId = "",
        Status = OrderStatus.Withdrawn,
        Lines = [],
        Pricing = new PriceBreakdown(0, 0, 0, 0),
        ProtectedAddress = protectedAddress,
        RequestFingerprint = requestFingerprint,
        CreatedAt = now,
        ExpiresAt = now,
        HoldsStock = false,
        Withdrawal = refusal,
        History = [new StatusChange(OrderStatus.Withdrawn, now, refusal.Message)],
    };

    /// <summary>Stock is reserved: the order can be paid.</summary>
    public OrderChange ConfirmReserved(DateTimeOffset now) =>
        Status == OrderStatus.Reserving
            ? OrderChange.To(MoveTo(OrderStatus.PendingPayment, now, "stock reserved"), new OrderCreated(Facts) { OccurredAt = now })
            : OrderChange.Unchanged(this);

    /// <summary>A step of placing the order was refused: the order never opens (no event: nobody saw it).</summary>
    public OrderChange Withdraw(ErrorCode code, string reason, DateTimeOffset now) =>
        Status == OrderStatus.Reserving
            ? OrderChange.To(MoveTo(OrderStatus.Withdrawn, now, reason) with { Withdrawal = new PlacementRefusal(code, reason) })
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
        if (payment.AmountFen != Pricing.PayableFen || payment.Currency != PaymentRecord.Cny)
        {
            throw new DomainException(ErrorCode.AmountMismatch, $"Payment of {payment.AmountFen} {payment.Currency ?? "(no currency)"} does not match order {Id} ({Pricing.PayableFen} fen {PaymentRecord.Cny}).");
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

        if (Status is not (OrderStatus.Paid or OrderStatus.Shipped or OrderStatus.Completed or OrderStatus.Refunded))
        {
            throw new DomainException(ErrorCode.RefundNotAllowed, $"Order {Id} is {Status}; nothing to refund.");
        }

        if (ActiveRefund is { Status: RefundStatus.Requested, Automatic: false } waiting)
        {
            // Nothing of it went to WeChat yet: the refund of everything covers it, without waiting for an operator.
            var superseded = RejectRefund(waiting.Id, $"Covered by the automatic refund of everything: {reason}", now);
            var everything = superseded.Order.RefundEverything(reason, restock, now);
            return OrderChange.To(everything.Order, [.. superseded.Events, .. everything.Events]);
        }

        // A refund at WeChat may still fail: wait for it (the caller retries) rather than count on it.
        EnsureNoRefundUnderWay();
        if (RefundableFen <= 0)
        {
            // Everything paid went back already (another refund, for another reason): nothing is left to do.
            return OrderChange.Unchanged(this);
        }

        var lines = UnrefundedLines();
        var refund = new Refund
        {
            Id = NextRefundId(),
            Status = RefundStatus.Approved,
            AmountFen = RefundableFen,
            Lines = lines,
            PointsReturned = RefundCalculator.PointsForLines(this, lines),
            Reason = reason,
            Automatic = true,
            Restock = restock && (HoldsStock || IsFlashSale) && Status == OrderStatus.Paid,
            RequestedAt = now,
        };
        return OrderChange.To(this with { Refunds = [.. Refunds, refund] }, new RefundApproved(RefundFactsOf(refund)) { OccurredAt = now });
    }

    /// <summary>
    /// The presale of this deposit ended with the deposit kept (applied to the paid balance, or
    /// forfeited): the deposit order is done — completed, with no after-sale of its own (the goods'
    /// after-sale belongs to the balance order) — so it never ships and cannot be refunded on request.
    /// Idempotent.
    /// </summary>
    public OrderChange ConcludeDeposit(string reason, DateTimeOffset now)
    {
        if (IsDeposit && Status == OrderStatus.Completed)
        {
            return OrderChange.Unchanged(this);
        }

        if (!IsDeposit || Status != OrderStatus.Paid)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {Id} is {(IsDeposit ? Status.ToString() : "not a presale deposit")}; it cannot be concluded as a paid deposit.");
        }

        if (ActiveRefund is { } active)
        {
            throw new DomainException(ErrorCode.RefundInProgress, $"Refund {active.Id} for deposit order {Id} is still in progress.");
        }

        var concluded = MoveTo(OrderStatus.Completed, now, reason) with { CompletedAt = now, AfterSaleEndsAt = now, AfterSaleClosed = true };
        return OrderChange.To(concluded, new OrderCompleted(Facts) { OccurredAt = now }, new OrderAfterSaleClosed(Facts) { OccurredAt = now });
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

        if (IsDeposit)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {Id} is a presale deposit; the goods ship with the presale's balance order.");
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
    /// A refund of everything still refundable (no amount, or all of it) is a refund of every unit
    /// not refunded yet, however it was asked for, so an unshipped order's units go back to stock.
    /// </summary>
    public OrderChange RequestRefund(IReadOnlyList<RefundLine> lines, long? amountFen, string reason, DateTimeOffset now)
    {
        var refundable = Status is OrderStatus.Paid or OrderStatus.Shipped
            || (Status == OrderStatus.Completed && now < AfterSaleEndsAt);
        if (!refundable)
        {
            throw new DomainException(ErrorCode.RefundNotAllowed, $"Order {Id} is {Status}{(Status == OrderStatus.Completed ? " and its after-sale window has ended" : string.Empty)}; it cannot be refunded.");
        }

        if (IsDeposit)
        {
            throw new DomainException(ErrorCode.RefundNotAllowed, $"Order {Id} is a presale deposit; its campaign returns or keeps it (refund the balance order to undo the presale).");
        }

        if (Refunds.Count(r => !r.Automatic) >= MaxRefundRequests)
        {
            throw new DomainException(ErrorCode.RefundNotAllowed, $"Order {Id} has had {MaxRefundRequests} refund requests, the most one order takes; please contact customer service.");
        }

        if (ShippingHold is not null)
        {
            throw new DomainException(ErrorCode.RefundNotAllowed, $"Order {Id} cannot be refunded yet: {ShippingHold} (if that fails, it is refunded automatically).");
        }

        EnsureNoRefundUnderWay();

        if (lines.Count == 0 && (amountFen ?? RefundableFen) == RefundableFen)
        {
            lines = UnrefundedLines();
        }

        // One line per SKU, so each SKU's stock is returned once for all its units (one operation per counter).
        lines = [.. lines.GroupBy(l => l.SkuId).Select(g => new RefundLine(g.Key, (int)Math.Min(int.MaxValue, g.Sum(l => (long)l.Quantity))))];

        var amount = lines.Count > 0 ? RefundCalculator.ForLines(this, lines) : amountFen!.Value;
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
            PointsReturned = RefundCalculator.PointsForLines(this, lines),
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
            ? OrderChange.To(WithRefund(refund with { Status = RefundStatus.Processing, WeChatRefundId = weChatRefundId, RetryAt = null, LastError = null }))
            : OrderChange.Unchanged(this);
    }

    /// <summary>
    /// WeChat refused to take the refund. An error it means to be retried (a short balance, a timeout,
    /// a signature during key rotation) keeps it approved, to be submitted again under the same
    /// out_refund_no after a growing delay (at most <paramref name="longestDelay"/>); a final one fails
    /// it, still owed, until an operator resubmits it.
    /// </summary>
    public OrderChange RecordRefundRefused(string refundId, string error, bool final, DateTimeOffset now, TimeSpan longestDelay)
    {
        var refund = GetRefund(refundId);
        if (refund.Status != RefundStatus.Approved)
        {
            return OrderChange.Unchanged(this);
        }

        var attempts = refund.SubmitAttempts + 1;
        if (final)
        {
            var failed = refund with { Status = RefundStatus.Failed, SubmitAttempts = attempts, LastError = error, RetryAt = null, CompletedAt = now };
            return OrderChange.To(WithRefund(failed), new RefundFailed(RefundFactsOf(failed)) { OccurredAt = now });
        }

        return OrderChange.To(WithRefund(refund with { SubmitAttempts = attempts, LastError = error, RetryAt = now + Refund.RetryDelay(attempts, longestDelay) }));
    }

    /// <summary>
    /// An operator sends a refund to WeChat again. A refund WeChat refused is resubmitted as it was,
    /// under the same out_refund_no (WeChat's rule for a failed refund); one WeChat closed is replaced
    /// by a new refund of the same units and amount (a closed out_refund_no is finished at WeChat); an
    /// approved one waiting for its retry is submitted now.
    /// </summary>
    public OrderChange ResubmitRefund(string refundId, DateTimeOffset now)
    {
        var refund = GetRefund(refundId);
        switch (refund.Status)
        {
            case RefundStatus.Approved:
                return refund.RetryAt is null ? OrderChange.Unchanged(this) : OrderChange.To(WithRefund(refund with { RetryAt = null }));

            case RefundStatus.Failed when refund.SupersededBy is null && refund.WeChatRefundId is null:
                // Approved before (its RefundApproved is out); a RefundSucceeded follows a RefundFailed when WeChat pays it.
                // Same out_refund_no, so the same units and amount: only while no other refund took them meanwhile.
                EnsureNoRefundUnderWay();
                EnsureStillOwed(refund, refund.AmountFen);
                return OrderChange.To(WithRefund(refund with { Status = RefundStatus.Approved, RetryAt = null, CompletedAt = null, Restock = RestocksOnResubmit(refund) }));

            case RefundStatus.Failed when refund.SupersededBy is null:
                EnsureNoRefundUnderWay();
                var amount = refund.Lines.Count > 0 ? RefundCalculator.ForLines(this, refund.Lines) : refund.AmountFen;
                EnsureStillOwed(refund, amount);
                var replacement = refund with
                {
                    Id = NextRefundId(),
                    Status = RefundStatus.Approved,
                    Restock = RestocksOnResubmit(refund),
                    AmountFen = amount,
                    PointsReturned = RefundCalculator.PointsForLines(this, refund.Lines),
                    RequestedAt = now,
                    CompletedAt = null,
                    WeChatRefundId = null,
                    SubmitAttempts = 0,
                    LastError = null,
                    RetryAt = null,
                };
                var replaced = WithRefund(refund with { SupersededBy = replacement.Id });
                return OrderChange.To(replaced with { Refunds = [.. replaced.Refunds, replacement] }, new RefundApproved(RefundFactsOf(replacement)) { OccurredAt = now });

            default:
                throw new DomainException(ErrorCode.InvalidOrderState, $"Refund {refundId} is {refund.Status}{(refund.Status == RefundStatus.Abnormal ? "; apply an abnormal refund to pay it out" : string.Empty)}; it cannot be resubmitted.");
        }
    }

    /// <summary>
    /// WeChat could not pay the refund back to the original account (REFUND.ABNORMAL): not final, the
    /// money is held until an operator names another account (<see cref="ApplyAbnormalRefund"/>) and
    /// WeChat's later SUCCESS completes it. Meanwhile nothing more of the order can be refunded.
    /// </summary>
    public OrderChange MarkRefundAbnormal(string refundId, string? weChatRefundId)
    {
        var refund = GetRefund(refundId);
        if (refund.Status is not (RefundStatus.Approved or RefundStatus.Processing) || refund.AbnormalRefundTo is not null)
        {
            return OrderChange.Unchanged(this);
        }

        return OrderChange.To(WithRefund(refund with
        {
            Status = RefundStatus.Abnormal,
            WeChatRefundId = weChatRefundId ?? refund.WeChatRefundId,
            LastError = "ABNORMAL: WeChat could not return it to the original account; apply an abnormal refund",
        }));
    }

    /// <summary>WeChat accepted an operator's abnormal refund to <paramref name="destination"/>; its SUCCESS follows. Idempotent.</summary>
    public OrderChange ApplyAbnormalRefund(string refundId, AbnormalRefundDestination destination)
    {
        var refund = GetRefund(refundId);
        if (refund.AbnormalRefundTo == destination)
        {
            return OrderChange.Unchanged(this);
        }

        return refund.Status == RefundStatus.Abnormal
            ? OrderChange.To(WithRefund(refund with { Status = RefundStatus.Processing, AbnormalRefundTo = destination, LastError = null }))
            : throw new DomainException(ErrorCode.InvalidOrderState, $"Refund {refundId} is {refund.Status}; only an abnormal refund can be sent to another account.");
    }

    /// <summary>WeChat's final word on a refund (notification or query): SUCCESS, or CLOSED.</summary>
    public OrderChange CompleteRefund(string refundId, bool succeeded, long refundedFen, string? weChatRefundId, DateTimeOffset now)
    {
        var refund = GetRefund(refundId);
        if (refund.Status is RefundStatus.Succeeded or RefundStatus.Failed)
        {
            return OrderChange.Unchanged(this);
        }

        if (refund.Status is not (RefundStatus.Approved or RefundStatus.Processing or RefundStatus.Abnormal))
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Refund {refundId} is {refund.Status}; WeChat cannot have processed it.");
        }

        if (!succeeded)
        {
            var failed = refund with { Status = RefundStatus.Failed, CompletedAt = now, WeChatRefundId = weChatRefundId ?? refund.WeChatRefundId, LastError = "CLOSED: WeChat closed the refund" };
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

    /// <summary>Units of a line no refund has taken back yet (succeeded or under way).</summary>
    public int UnrefundedUnits(OrderLine line) =>
        line.Quantity - line.RefundedQuantity - Refunds.Where(r => r.IsActive).SelectMany(r => r.Lines).Where(r => r.SkuId == line.SkuId).Sum(r => r.Quantity);

    private List<RefundLine> UnrefundedLines() =>
        Lines.Select(l => new RefundLine(l.SkuId, UnrefundedUnits(l))).Where(l => l.Quantity > 0).ToList();

    /// <summary>
    /// A failed refund goes to WeChat again only for what is still owed: its units not refunded by a later
    /// refund, its amount within what is left (a failed refund reserves neither).
    /// </summary>
    private void EnsureStillOwed(Refund refund, long amountFen)
    {
        if (IsLatePaymentRefund(refund))
        {
            return;
        }

        var taken = refund.Lines.FirstOrDefault(r => r.Quantity > (Lines.FirstOrDefault(l => l.SkuId == r.SkuId) is { } line ? UnrefundedUnits(line) : 0));
        if (taken is not null || amountFen > RefundableFen)
        {
            throw new DomainException(ErrorCode.RefundAmountExceeded, taken is not null
                ? $"Refund {refund.Id} cannot go again: {taken.SkuId} was refunded by a later refund of order {Id}."
                : $"Refund {refund.Id} cannot go again: only {RefundableFen} fen of order {Id} can still be refunded.");
        }
    }

    private void EnsureNoRefundUnderWay()
    {
        if (ActiveRefund is { } active)
        {
            throw new DomainException(ErrorCode.RefundInProgress, $"Refund {active.Id} for order {Id} is still in progress.");
        }
    }

    /// <summary>Units go back to stock only while the order is unshipped: it may have shipped since the refund failed.</summary>
    private bool RestocksOnResubmit(Refund refund) => refund.Restock && Status == OrderStatus.Paid;

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

    private RefundFacts RefundFactsOf(Refund refund) => new(Id, CustomerId, refund.Id, refund.AmountFen, refund.Automatic, Payment?.PaidAt, Source) { PointsReturned = refund.PointsReturned };
}
