using Mall.Application.Distribution;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Distribution;

/// <summary>A payout instruction kept for finance (and the local sandbox run) to execute.</summary>
public sealed record PayoutInstruction(string TransferId, string OpenId, long AmountFen, string Remark, DateTimeOffset RecordedAt);

/// <summary>
/// Records each payout once, by transfer id, for the finance team to execute (or for a WeChat
/// merchant-transfer adapter to replace; that API is not wired yet).
/// </summary>
public sealed class RecordedPayoutGateway(IDocumentCollection<PayoutInstruction> payouts, TimeProvider time) : IPayoutGateway
{
    public async Task TransferAsync(string transferId, string openId, long amountFen, string remark, CancellationToken cancellationToken)
    {
        try
        {
            await payouts.InsertAsync(DocumentKey.Single(transferId), new PayoutInstruction(transferId, openId, amountFen, remark, time.GetUtcNow()), [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Already recorded: the same transfer is never instructed twice.
        }
    }
}
