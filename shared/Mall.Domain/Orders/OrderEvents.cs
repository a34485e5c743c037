using Mall.Domain.Common;

namespace Mall.Domain.Orders;

/// <summary>What every order event says about its order.</summary>
/// <param name="PayableFen">The order's payable total.</param>
/// <param name="Source">The campaign the order belongs to (group buy, presale), if any.</param>
/// <param name="CouponId">The coupon the order used, if any.</param>
/// <param name="SegmentOffer">The order is priced with the customer's one-order segment offer.</param>
/// <param name="PointsUsed">Points redeemed against the order.</param>
public sealed record OrderFacts(string OrderId, string CustomerId, long PayableFen, OrderSource? Source, string? CouponId, bool SegmentOffer, long PointsUsed);

/// <summary>Stock is reserved and the order waits for payment.</summary>
public sealed record OrderCreated(OrderFacts Order) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:created";

    public override string SubjectId => Order.OrderId;
}

/// <summary>WeChat Pay confirmed the payment (notification or query), once per order.</summary>
/// <param name="PaidAt">WeChat's success time, in UTC.</param>
public sealed record OrderPaid(OrderFacts Order, long AmountFen, string TransactionId, DateTimeOffset PaidAt) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:paid";

    public override string SubjectId => Order.OrderId;
}

/// <summary>A payment arrived after the order had closed; an automatic refund of it is approved.</summary>
public sealed record OrderPaidAfterClose(OrderFacts Order, long AmountFen, string TransactionId, string RefundId) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:paid-after-close";

    public override string SubjectId => Order.OrderId;
}

/// <summary>The customer withdrew the unpaid order; its stock is released.</summary>
public sealed record OrderCancelled(OrderFacts Order) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:cancelled";

    public override string SubjectId => Order.OrderId;
}

/// <summary>The order expired unpaid; its stock is released.</summary>
public sealed record OrderClosed(OrderFacts Order) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:closed";

    public override string SubjectId => Order.OrderId;
}

/// <summary>The operator shipped the order.</summary>
public sealed record OrderShipped(OrderFacts Order, string Carrier, string TrackingNumber) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:shipped";

    public override string SubjectId => Order.OrderId;
}

/// <summary>The customer confirmed receipt, or the order was confirmed automatically.</summary>
public sealed record OrderCompleted(OrderFacts Order) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:completed";

    public override string SubjectId => Order.OrderId;
}

/// <summary>The after-sale window ended: no more refunds can be asked for.</summary>
public sealed record OrderAfterSaleClosed(OrderFacts Order) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:after-sale-closed";

    public override string SubjectId => Order.OrderId;
}

/// <summary>Refunds reached the whole paid amount.</summary>
public sealed record OrderRefunded(OrderFacts Order, long RefundedFen) : IntegrationEvent
{
    public override string Id => $"order:{Order.OrderId}:refunded";

    public override string SubjectId => Order.OrderId;
}

/// <summary>What every refund event says about its refund.</summary>
/// <param name="Automatic">Raised by the mall itself (late payment, failed group, lapsed presale), not asked for by the customer.</param>
/// <param name="OrderPaidAt">When the order was paid; absent for the refund of a payment that never counted (it came after the order closed).</param>
public sealed record RefundFacts(string OrderId, string CustomerId, string RefundId, long AmountFen, bool Automatic, DateTimeOffset? OrderPaidAt, OrderSource? Source)
{
    /// <summary>Redeemed points the refund gives back (the refunded units' share of the order's points).</summary>
    public long PointsReturned { get; init; }
}

/// <summary>The customer asked for a refund; it waits for the operator.</summary>
public sealed record RefundRequested(RefundFacts Refund) : IntegrationEvent
{
    public override string Id => $"refund:{Refund.RefundId}:requested";

    public override string SubjectId => Refund.OrderId;
}

/// <summary>The operator (or the mall, for an automatic refund) approved the refund; it goes to WeChat.</summary>
public sealed record RefundApproved(RefundFacts Refund) : IntegrationEvent
{
    public override string Id => $"refund:{Refund.RefundId}:approved";

    public override string SubjectId => Refund.OrderId;
}

/// <summary>The operator rejected the refund.</summary>
public sealed record RefundRejected(RefundFacts Refund) : IntegrationEvent
{
    public override string Id => $"refund:{Refund.RefundId}:rejected";

    public override string SubjectId => Refund.OrderId;
}

/// <summary>WeChat reported the refund as failed (CLOSED or ABNORMAL).</summary>
public sealed record RefundFailed(RefundFacts Refund) : IntegrationEvent
{
    public override string Id => $"refund:{Refund.RefundId}:failed";

    public override string SubjectId => Refund.OrderId;
}

/// <summary>WeChat reported the refund as succeeded: the money is back with the customer.</summary>
public sealed record RefundSucceeded(RefundFacts Refund) : IntegrationEvent
{
    public override string Id => $"refund:{Refund.RefundId}:succeeded";

    public override string SubjectId => Refund.OrderId;
}
