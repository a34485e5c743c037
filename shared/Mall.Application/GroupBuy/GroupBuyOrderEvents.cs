using System.Globalization;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Application.GroupBuy;

/// <summary>Order events of group buy orders, relayed from the order outbox: payments count seats, lapsed orders free them.</summary>
public sealed class GroupBuyOrderEvents(GroupBuyService groupBuys) : IIntegrationEventHandler
{
    public bool CanHandle(string eventType) => eventType is "OrderPaid" or "OrderClosed" or "OrderCancelled";

    public Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        if (integrationEvent.Data.GetValueOrDefault("sourceKind") != GroupBuyService.SourceKind)
        {
            return Task.CompletedTask;
        }

        var groupId = integrationEvent.Data["referenceId"];
        var orderId = integrationEvent.Data["orderId"];
        return integrationEvent.Type == "OrderPaid"
            ? groupBuys.RecordPaymentAsync(groupId, orderId, PaidAt(integrationEvent), cancellationToken)
            : groupBuys.ReleaseSeatAsync(groupId, orderId, cancellationToken);
    }

    private static DateTimeOffset PaidAt(IntegrationEvent integrationEvent) =>
        integrationEvent.Data.TryGetValue("paidAt", out var paidAt) ? DateTimeOffset.Parse(paidAt, CultureInfo.InvariantCulture) : integrationEvent.OccurredAt;
}
