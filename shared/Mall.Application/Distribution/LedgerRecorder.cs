using Mall.Application.Platform;
using Mall.Domain.Distribution;

namespace Mall.Application.Distribution;

/// <summary>
/// Appends commission movements and payouts to the promoters' ledgers. They arrive as outbox events
/// of the commission and withdrawal documents, so each is recorded after its change committed, and
/// exactly once: the line's key is its identity, and a second insert is a no-op.
/// </summary>
public sealed class LedgerRecorder(IDocumentCollection<LedgerEntry> ledger) : IEventHandler<CommissionMovementEvent>, IEventHandler<CommissionPaidOut>
{
    public Task HandleAsync(CommissionMovementEvent movement, EventContext context, CancellationToken cancellationToken) =>
        RecordAsync(LedgerEntry.For(movement), cancellationToken);

    public Task HandleAsync(CommissionPaidOut paidOut, EventContext context, CancellationToken cancellationToken) =>
        RecordAsync(LedgerEntry.PaidOut(paidOut.PromoterId, paidOut.WithdrawalId, paidOut.AmountFen, paidOut.OccurredAt), cancellationToken);

    private async Task RecordAsync(LedgerEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await ledger.InsertAsync(new DocumentKey(entry.PromoterId, StorageKeys.Escape(entry.Key)), entry, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Recorded by an earlier attempt of the same delivery.
        }
    }
}
