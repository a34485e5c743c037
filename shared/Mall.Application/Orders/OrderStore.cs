using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

/// <summary>Reads orders and applies guarded transitions to them.</summary>
public sealed class OrderStore(IDocumentCollection<Order> orders, MallMetrics metrics)
{
    public static DocumentKey KeyOf(string orderId) => DocumentKey.Single(orderId);

    public async Task<Order?> FindAsync(string orderId, CancellationToken cancellationToken) =>
        (await orders.FindAsync(KeyOf(orderId), cancellationToken))?.Value;

    /// <summary>The order with the version a guarded change of it (<see cref="TryChangeFromAsync"/>) presents.</summary>
    public Task<Versioned<Order>?> FindVersionAsync(string orderId, CancellationToken cancellationToken) =>
        orders.FindAsync(KeyOf(orderId), cancellationToken);

    public async Task<Order> GetAsync(string orderId, CancellationToken cancellationToken) =>
        await FindAsync(orderId, cancellationToken) ?? throw DomainException.NotFound($"Order {orderId}");

    /// <summary>
    /// The caller's own order; someone else's order is reported as not found, never as forbidden, and so is a
    /// withdrawn placement (it never became an order).
    /// </summary>
    public async Task<Order> GetOwnedAsync(string customerId, string orderId, CancellationToken cancellationToken)
    {
        var order = await FindAsync(orderId, cancellationToken);
        return order is not null && order.CustomerId == customerId && order.Status != OrderStatus.Withdrawn ? order : throw DomainException.NotFound($"Order {orderId}");
    }

    /// <summary>Applies a transition under optimistic concurrency; returns the order as stored afterwards.</summary>
    public async Task<Order> ChangeAsync(string orderId, Func<Order, OrderChange> transition, CancellationToken cancellationToken) =>
        (await TransitionAsync(orderId, transition, cancellationToken)).After;

    /// <summary>
    /// <see cref="ChangeAsync"/> that also answers the order the transition that stuck started from: a fact it
    /// brought (a payment, a refund gone abnormal) is absent from that order for exactly one of racing callers.
    /// </summary>
    public Task<OrderTransition> TransitionAsync(string orderId, Func<Order, OrderChange> transition, CancellationToken cancellationToken) =>
        orders.TransitionAsync(
            KeyOf(orderId),
            current =>
            {
                var order = current?.Value ?? throw DomainException.NotFound($"Order {orderId}");
                var change = transition(order);
                return change.Changed
                    ? Decision.Write(change.Order, new OrderTransition(order, change.Order), change.Events)
                    : Decision.Keep<Order, OrderTransition>(new OrderTransition(order, order));
            },
            cancellationToken);

    /// <summary>
    /// A transition guarded on the version <paramref name="read"/>, and only on it: null when the order changed
    /// or went since, so a caller never applies its decision to a state it did not see.
    /// </summary>
    public async Task<Order?> TryChangeFromAsync(Versioned<Order> read, Func<Order, OrderChange> transition, CancellationToken cancellationToken)
    {
        var change = transition(read.Value);
        if (!change.Changed)
        {
            return read.Value;
        }

        try
        {
            return (await orders.ReplaceAsync(read, change.Order, change.Events, cancellationToken)).Value;
        }
        catch (ConcurrencyConflictException)
        {
            return null;
        }
    }

    /// <summary>Places the order: the conditional insert is the one moment it comes to exist, so it is counted here.</summary>
    public async Task<Versioned<Order>> InsertAsync(Order order, CancellationToken cancellationToken)
    {
        var inserted = await orders.InsertAsync(KeyOf(order.Id), order, [], cancellationToken);
        metrics.OrderPlaced(order.Source?.Kind ?? "regular");
        return inserted;
    }

    /// <param name="priorityOnly">Only orders of members with priority shipping (what to ship first).</param>
    public async Task<ResultPage<Order>> QueryAsync(OrderStatus? status, bool priorityOnly, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var filters = new Dictionary<string, string>();
        if (status is not null)
        {
            filters["Status"] = status.Value.ToString();
        }

        if (priorityOnly)
        {
            filters["Shipping"] = PriorityShipping;
        }

        return await QueryAsync(filters, continuationToken, pageSize, cancellationToken);
    }

    /// <summary>Orders holding a refund that is not settled for good (<see cref="Refund.IsOpen"/>).</summary>
    public Task<ResultPage<Order>> QueryWithOpenRefundsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        QueryAsync(new Dictionary<string, string> { ["Refunds"] = OpenRefunds }, continuationToken, pageSize, cancellationToken);

    /// <summary>Shipped orders whose shipping info WeChat has not taken (given up, or failing and retried).</summary>
    public Task<ResultPage<Order>> QueryShippingUploadFailuresAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        QueryAsync(new Dictionary<string, string> { ["ShippingUpload"] = ShippingUploadFailed }, continuationToken, pageSize, cancellationToken);

    /// <summary>Columns copied out of the order document so operators can filter without reading every order.</summary>
    public static IReadOnlyDictionary<string, object?> IndexedColumns(Order order) => new Dictionary<string, object?>
    {
        ["Status"] = order.Status.ToString(),
        ["CustomerId"] = order.CustomerId,
        ["CreatedAt"] = order.CreatedAt,
        ["HasActiveRefund"] = order.ActiveRefund is not null,
        ["Shipping"] = order.PriorityShipping ? PriorityShipping : "standard",
        ["Refunds"] = order.Refunds.Any(r => r.IsOpen) ? OpenRefunds : "settled",
        ["ShippingUpload"] = order.Shipment switch
        {
            null => null,
            { UploadedToWeChatAt: not null } => "uploaded",
            { UploadFailure: not null } => ShippingUploadFailed,
            _ => "pending",
        },
    };

    private const string PriorityShipping = "priority";
    private const string OpenRefunds = "open";
    private const string ShippingUploadFailed = "failed";

    private async Task<ResultPage<Order>> QueryAsync(IReadOnlyDictionary<string, string> filters, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await orders.QueryAsync(new DocumentQuery { ColumnEquals = filters }, continuationToken, pageSize, cancellationToken);
        return new ResultPage<Order>(page.Items.Select(o => o.Value).ToList(), page.ContinuationToken);
    }
}

/// <summary>An order before and after a transition (the same order when the transition found nothing to change).</summary>
public sealed record OrderTransition(Order Before, Order After);

/// <summary>Kinds of due work the order lifecycle schedules.</summary>
public static class OrderWork
{
    public const string Expiry = "OrderExpiry";
    public const string AutoConfirm = "OrderAutoConfirm";
    public const string AfterSaleClose = "OrderAfterSaleClose";
    public const string ShippingUpload = "ShippingUpload";
}
