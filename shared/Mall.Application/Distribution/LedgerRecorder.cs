using System.Globalization;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Distribution;

namespace Mall.Application.Distribution;

/// <summary>
/// Appends commission movements and payouts to the promoters' ledgers. They arrive as outbox events
/// of the commission and withdrawal documents, so each is recorded after its change committed, and
/// exactly once: the line's key is its identity, and a second insert is a no-op.
/// </summary>
public sealed class LedgerRecorder(IDocumentCollection<LedgerEntry> ledger) : IIntegrationEventHandler
{
    private const string PaidOutType = "CommissionPaidOut";

    public static IReadOnlyList<IntegrationEvent> Events(IEnumerable<CommissionMovement> movements, DateTimeOffset at) =>
        movements.Select(m => new IntegrationEvent(
            "commission:" + m.Key,
            "Commission" + m.Kind,
            m.OrderId,
            at,
            new Dictionary<string, string>
            {
                ["promoterId"] = m.PromoterId,
                ["orderId"] = m.OrderId,
                ["level"] = m.Level.ToString(CultureInfo.InvariantCulture),
                ["amountFen"] = m.AmountFen.ToString(CultureInfo.InvariantCulture),
                ["key"] = m.Key,
            })).ToList();

    public static IntegrationEvent PaidOutEvent(LedgerEntry entry) => new(
        "commission:" + entry.Key,
        PaidOutType,
        entry.PromoterId,
        entry.At,
        new Dictionary<string, string>
        {
            ["promoterId"] = entry.PromoterId,
            ["withdrawalId"] = entry.WithdrawalId!,
            ["amountFen"] = entry.AmountFen.ToString(CultureInfo.InvariantCulture),
            ["key"] = entry.Key,
        });

    public bool CanHandle(string eventType) => eventType == PaidOutType || Enum.TryParse<CommissionEntryKind>(eventType.Replace("Commission", string.Empty, StringComparison.Ordinal), out _);

    public async Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var data = integrationEvent.Data;
        var amount = long.Parse(data["amountFen"], CultureInfo.InvariantCulture);
        var entry = integrationEvent.Type == PaidOutType
            ? LedgerEntry.PaidOut(data["promoterId"], data["withdrawalId"], amount, integrationEvent.OccurredAt)
            : new LedgerEntry(data["promoterId"], data["key"], Enum.Parse<CommissionEntryKind>(integrationEvent.Type["Commission".Length..]), null, data["orderId"], amount, integrationEvent.OccurredAt);
        try
        {
            await ledger.InsertAsync(new DocumentKey(entry.PromoterId, entry.Key), entry, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Recorded by an earlier relay of the same event.
        }
    }
}
