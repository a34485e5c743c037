using Mall.Application.Platform;
using Mall.Domain.Customers;

namespace Mall.Application.Membership;

/// <summary>Appends the customer's PointsChanged events to the points ledger, once each (the key is the line's identity).</summary>
public sealed class PointsLedgerRecorder(IDocumentCollection<PointsEntry> ledger) : IEventHandler<PointsChanged>
{
    public async Task HandleAsync(PointsChanged changed, EventContext context, CancellationToken cancellationToken)
    {
        var entry = new PointsEntry(changed.CustomerId, changed.Key, changed.OrderId, changed.Points, changed.OccurredAt);
        try
        {
            // The key holds '#' ("O1|redeemed#2"), which Table Storage does not allow in keys.
            await ledger.InsertAsync(new DocumentKey(entry.CustomerId, StorageKeys.Escape(entry.Key)), entry, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Recorded by an earlier attempt of the same delivery.
        }
    }
}
