using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

/// <summary>Reads orders and applies guarded transitions to them.</summary>
public sealed class OrderStore(IDocumentCollection<Order> orders)
{
    public static DocumentKey KeyOf(string orderId) => DocumentKey.Single(orderId);

    public async Task<Order?> FindAsync(string orderId, CancellationToken cancellationToken) =>
        (await orders.FindAsync(KeyOf(orderId), cancellationToken))?.Value;

    public async Task<Order> GetAsync(string orderId, CancellationToken cancellationToken) =>
        await FindAsync(orderId, cancellationToken) ?? throw DomainException.NotFound($"Order {orderId}");

    /// <summary>The caller's own order; someone else's order is reported as not found, never as forbidden.</summary>
    public async Task<Order> GetOwnedAsync(string customerId, string orderId, CancellationToken cancellationToken)
    {
        var order = await FindAsync(orderId, cancellationToken);
        return order is not null && order.CustomerId == customerId ? order : throw DomainException.NotFound($"Order {orderId}");
    }

    /// <summary>Applies a transition under optimistic concurrency; returns the order as stored afterwards.</summary>
    public Task<Order> ChangeAsync(string orderId, Func<Order, OrderChange> transition, CancellationToken cancellationToken) =>
        orders.TransitionAsync(
            KeyOf(orderId),
            current =>
            {
                var order = current?.Value ?? throw DomainException.NotFound($"Order {orderId}");
                var change = transition(order);
                return change.Changed ? Decision.Write(change.Order, change.Order, change.Events) : Decision.Keep<Order, Order>(order);
            },
            cancellationToken);

    public Task InsertAsync(Order order, CancellationToken cancellationToken) =>
        orders.InsertAsync(KeyOf(order.Id), order, [], cancellationToken);

    public async Task DeleteAsync(string orderId, CancellationToken cancellationToken) =>
        await orders.DeleteAsync(KeyOf(orderId), null, cancellationToken);

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

        var query = new DocumentQuery { ColumnEquals = filters };
        var page = await orders.QueryAsync(query, continuationToken, pageSize, cancellationToken);
        return new ResultPage<Order>(page.Items.Select(o => o.Value).ToList(), page.ContinuationToken);
    }

    /// <summary>Shipped orders whose shipping info WeChat has not taken (given up, or failing and retried).</summary>
    public async Task<ResultPage<Order>> QueryShippingUploadFailuresAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var query = new DocumentQuery { ColumnEquals = new Dictionary<string, string> { ["ShippingUpload"] = ShippingUploadFailed } };
        var page = await orders.QueryAsync(query, continuationToken, pageSize, cancellationToken);
        return new ResultPage<Order>(page.Items.Select(o => o.Value).ToList(), page.ContinuationToken);
    }

    /// <summary>Columns copied out of the order document so operators can filter without reading every order.</summary>
    public static IReadOnlyDictionary<string, object?> IndexedColumns(Order order) => new Dictionary<string, object?>
    {
        ["Status"] = order.Status.ToString(),
        ["CustomerId"] = order.CustomerId,
        ["CreatedAt"] = order.CreatedAt,
        ["HasActiveRefund"] = order.ActiveRefund is not null,
        ["Shipping"] = order.PriorityShipping ? PriorityShipping : "standard",
        ["ShippingUpload"] = order.Shipment switch
        {
            null => null,
            { UploadedToWeChatAt: not null } => "uploaded",
            { UploadFailure: not null } => ShippingUploadFailed,
            _ => "pending",
        },
    };

    private const string PriorityShipping = "priority";
    private const string ShippingUploadFailed = "failed";
}

/// <summary>Kinds of due work the order lifecycle schedules.</summary>
public static class OrderWork
{
    public const string Expiry = "OrderExpiry";
    public const string AutoConfirm = "OrderAutoConfirm";
    public const string AfterSaleClose = "OrderAfterSaleClose";
    public const string ShippingUpload = "ShippingUpload";
}
