using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Customers;
using Mall.Domain.Orders;
using Mall.Domain.Recommendations;

namespace Mall.Application.Recommendations;

/// <summary>
/// Keeps each customer's recent interest (<see cref="CustomerInterest"/>) as it happens: product views from the
/// events endpoint, purchases from OrderPaid, the segment from CustomerSegmentChanged; forgets it for good on CustomerErased.
/// Each a guarded transition that writes only when something changed, so a redelivered event or a resent view is a no-op.
/// </summary>
public sealed class CustomerInterests(IDocumentCollection<CustomerInterest> interests, OrderStore orders)
    : IEventHandler<OrderPaid>, IEventHandler<CustomerSegmentChanged>, IEventHandler<CustomerErased>
{
    public async Task<CustomerInterest?> FindAsync(string customerId, CancellationToken cancellationToken) =>
        (await interests.FindAsync(DocumentKey.Single(customerId), cancellationToken))?.Value is { Erased: false } interest ? interest : null;

    public Task ViewedAsync(string customerId, IReadOnlyList<Interaction> views, CancellationToken cancellationToken) =>
        views.Count == 0 ? Task.CompletedTask : ChangeAsync(customerId, i => i.Viewed(views), cancellationToken);

    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(paid.Order.OrderId, cancellationToken);
        if (order is not null)
        {
            await ChangeAsync(paid.Order.CustomerId, i => i.Bought(order.Id, order.Lines.Select(l => l.ProductId).ToList(), paid.PaidAt), cancellationToken);
        }
    }

    public Task HandleAsync(CustomerSegmentChanged changed, EventContext context, CancellationToken cancellationToken) =>
        ChangeAsync(changed.CustomerId, i => i.Segment == changed.To.ToString() ? i : i with { Segment = changed.To.ToString() }, cancellationToken);

    /// <summary>
    /// An erased customer's browsing and buying history is personal data nothing needs any more: it goes, and a mark
    /// that they are erased stays in its place so no later event of theirs writes it again.
    /// </summary>
    public Task HandleAsync(CustomerErased erased, EventContext context, CancellationToken cancellationToken) =>
        interests.TransitionAsync(
            DocumentKey.Single(erased.CustomerId),
            current => current?.Value.Erased == true
                ? Decision.Keep<CustomerInterest, bool>(false)
                : Decision.Write(CustomerInterest.ErasedOf(erased.CustomerId), true),
            cancellationToken);

    private Task<bool> ChangeAsync(string customerId, Func<CustomerInterest, CustomerInterest> change, CancellationToken cancellationToken) =>
        interests.TransitionAsync(
            DocumentKey.Single(customerId),
            current =>
            {
                var before = current?.Value ?? new CustomerInterest { CustomerId = customerId };
                if (before.Erased)
                {
                    return Decision.Keep<CustomerInterest, bool>(false);
                }

                var after = change(before);
                return current is not null && ReferenceEquals(after, before)
                    ? Decision.Keep<CustomerInterest, bool>(false)
                    : Decision.Write(after, true);
            },
            cancellationToken);
}
