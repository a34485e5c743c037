using System.Globalization;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Application.Membership;

/// <summary>Appends the customer's PointsChanged outbox events to the points ledger, once each (the key is the line's identity).</summary>
public sealed class PointsLedgerRecorder(IDocumentCollection<PointsEntry> ledger) : IIntegrationEventHandler
{
    public bool CanHandle(string eventType) => eventType == "PointsChanged";

    public async Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var data = integrationEvent.Data;
        var entry = new PointsEntry(data["customerId"], data["key"], data["orderId"], long.Parse(data["points"], CultureInfo.InvariantCulture), integrationEvent.OccurredAt);
        try
        {
            await ledger.InsertAsync(new DocumentKey(entry.CustomerId, entry.Key), entry, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Recorded by an earlier relay of the same event.
        }
    }
}
