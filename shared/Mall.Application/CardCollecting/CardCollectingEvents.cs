using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.CardCollecting;
using Mall.Domain.Orders;

namespace Mall.Application.CardCollecting;

/// <summary>
/// Cards from paid orders, and what refunds take back. A paid order (OrderPaid) earns one card in each
/// campaign running when it was paid whose paidOrder task its amount meets — also while the mechanic is
/// switched off: the purchase is a verified outcome, and only check-ins and redeeming stop. A refund that
/// went through (RefundSucceeded) revokes the order's cards once what stays paid falls below a task's
/// minimum (or to nothing), so a refunded order never completes a set: another card of the kind stands in
/// for it in a redemption if the customer has one; otherwise a reserved redemption is given up and a
/// granted reward taken back (<see cref="CardRedemptions.ReconcileAsync(string, string, CancellationToken)"/>).
/// Both read the order as it is now, so a repeated or late event decides the same.
/// </summary>
public sealed class CardCollectingEvents(
    IDocumentCollection<CardCollection> collections,
    CardCampaignService campaigns,
    CardCollectingService cards,
    CardRedemptions redemptions,
    OrderStore orders,
    TimeProvider time) : IEventHandler<OrderPaid>, IEventHandler<RefundSucceeded>
{
    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        var earning = (await campaigns.EndingFromAsync(paid.PaidAt, cancellationToken))
            .Where(c => c.IsRunning(paid.PaidAt) && c.EarningTask(CardTaskKind.PaidOrder) is not null)
            .ToList();
        if (earning.Count == 0)
        {
            return;
        }

        var standing = await orders.FindAsync(paid.Order.OrderId, cancellationToken) is { } order ? StandingFen(order) : paid.AmountFen;
        foreach (var campaign in earning.Where(c => standing >= LeastStandingFen(c)))
        {
            var operation = CardCollectingService.OrderOperation(paid.Order.OrderId);
            await cards.EarnAsync(campaign, paid.Order.CustomerId, operation, CardTaskKind.PaidOrder, paid.Order.OrderId, time.GetUtcNow(), cancellationToken);
        }
    }

    public async Task HandleAsync(RefundSucceeded succeeded, EventContext context, CancellationToken cancellationToken)
    {
        var (customerId, orderId) = (succeeded.Refund.CustomerId, succeeded.Refund.OrderId);
        if (await orders.FindAsync(orderId, cancellationToken) is not { } order)
        {
            return;
        }

        var operation = CardCollectingService.OrderOperation(orderId);
        var standing = StandingFen(order);
        await foreach (var held in collections.ScanAsync(new DocumentQuery { PartitionKey = customerId }, 100, cancellationToken))
        {
            if (!held.Value.Cards.Any(c => c.Operation == operation)
                || await campaigns.FindAsync(held.Value.CampaignId, cancellationToken) is not { } campaign
                || standing >= LeastStandingFen(campaign))
            {
                continue;
            }

            var now = time.GetUtcNow();
            await collections.TransitionFromAsync(
                held.Key,
                held,
                current =>
                {
                    var (next, effect) = current!.Value.Revoke(operation, orderId, now);
                    return effect == RevocationEffect.None ? Decision.Keep<CardCollection, RevocationEffect>(effect) : Decision.Write(next, effect);
                },
                cancellationToken);

            // Also when an earlier attempt revoked the card and stopped before this: what the revocation calls for is done once.
            await redemptions.ReconcileAsync(customerId, campaign.Id, cancellationToken);
        }
    }

    /// <summary>What stays paid of an order: its payment less what refunds gave back.</summary>
    private static long StandingFen(Order order) => (order.Payment?.AmountFen ?? 0) - order.RefundedFen;

    /// <summary>The least an order must keep paid to earn (and keep) a campaign's card: the task's minimum, and always something.</summary>
    private static long LeastStandingFen(CardCampaign campaign) => Math.Max(1, campaign.EarningTask(CardTaskKind.PaidOrder)?.MinimumPaidFen ?? 0);
}
