using System.Globalization;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Application.Presale;

/// <summary>Order events of presale deposit and balance orders, relayed from the order outbox.</summary>
public sealed class PresaleOrderEvents(PresaleService presales) : IIntegrationEventHandler
{
    public bool CanHandle(string eventType) => eventType is "OrderPaid" or "OrderClosed" or "OrderCancelled";

    public Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var kind = integrationEvent.Data.GetValueOrDefault("sourceKind");
        if (kind is not (PresaleService.DepositKind or PresaleService.BalanceKind))
        {
            return Task.CompletedTask;
        }

        var reservationId = integrationEvent.Data["referenceId"];
        var orderId = integrationEvent.Data["orderId"];
        return integrationEvent.Type == "OrderPaid"
            ? presales.RecordPaymentAsync(kind, reservationId, orderId, DateTimeOffset.Parse(integrationEvent.Data["paidAt"], CultureInfo.InvariantCulture), cancellationToken)
            : presales.RecordLapseAsync(kind, reservationId, orderId, cancellationToken);
    }
}
