using Mall.Application.Platform;
using Mall.Domain.Distribution;

namespace Mall.Application.Distribution;

/// <summary>
/// Pays out what the withdrawal book decided: the payout follows the decision's CommissionPaidOut
/// event (after the decision is stored, retried until it went through), never the other way round.
/// </summary>
public sealed class PayoutSender(DistributionService distribution) : IEventHandler<CommissionPaidOut>
{
    public Task HandleAsync(CommissionPaidOut paidOut, EventContext context, CancellationToken cancellationToken) =>
        distribution.SendPayoutAsync(paidOut, cancellationToken);
}
