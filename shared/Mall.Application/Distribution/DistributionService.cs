using System.Globalization;
using Mall.Application.Customers;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Distribution;
using Mall.Domain.Orders;

namespace Mall.Application.Distribution;

/// <summary>
/// Three-tier distribution: promoters, the commission of each paid order (accrued pending, settled
/// after the after-sale window, reduced or reversed by refunds) and withdrawals. Every commission
/// change is written with its ledger movements as outbox events, and <see cref="LedgerRecorder"/>
/// appends them to the promoters' ledgers exactly once; balances are always derived from the ledger.
/// </summary>
public sealed class DistributionService(
    IDocumentCollection<Promoter> promoters,
    IDocumentCollection<OrderCommission> commissions,
    IDocumentCollection<LedgerEntry> ledger,
    IDocumentCollection<WithdrawalBook> books,
    IDocumentCollection<CommissionPolicy> policies,
    IDocumentCollection<ReferralEntry> referrals,
    CustomerService customers,
    OrderStore orders,
    IPayoutGateway payouts,
    DistributionOptions options,
    TimeProvider time)
{
    private static readonly DocumentKey PolicyKey = new("policy", "current");

    public async Task<CommissionPolicy> GetPolicyAsync(CancellationToken cancellationToken) =>
        (await policies.FindAsync(PolicyKey, cancellationToken))?.Value ?? CommissionPolicy.Default;

    public async Task<CommissionPolicy> SavePolicyAsync(CommissionPolicyRequest request, CancellationToken cancellationToken)
    {
        var policy = request.ToPolicy();
        await policies.UpsertAsync(PolicyKey, policy, cancellationToken);
        return policy;
    }

    public Task<Promoter> ApplyAsync(string customerId, CancellationToken cancellationToken)
    {
        var application = new Promoter(customerId, PromoterStatus.Applied, time.GetUtcNow());
        return promoters.TransitionAsync(
            DocumentKey.Single(customerId),
            current => current is null ? Decision.Write(application, application) : Decision.Keep<Promoter, Promoter>(current.Value),
            cancellationToken);
    }

    public Task<Promoter> DecidePromoterAsync(string customerId, bool approve, CancellationToken cancellationToken) =>
        promoters.UpdateAsync(DocumentKey.Single(customerId), $"Promoter application of {customerId}", p => p.Decide(approve, time.GetUtcNow()), cancellationToken);

    public async Task<DistributionSummary> SummaryAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var promoter = (await promoters.FindAsync(DocumentKey.Single(customerId), cancellationToken))?.Value;
        var balances = await BalancesAsync(customerId, cancellationToken);
        var book = (await books.FindAsync(DocumentKey.Single(customerId), cancellationToken))?.Value;
        return new DistributionSummary(
            customer.InviteCode,
            promoter?.Status,
            new TeamCounts(await TeamSizeAsync(customerId, 1, cancellationToken), await TeamSizeAsync(customerId, 2, cancellationToken), await TeamSizeAsync(customerId, 3, cancellationToken)),
            balances.PendingFen,
            balances.SettledFen,
            balances.WithdrawnFen,
            balances.WithdrawableFen - (book?.Withdrawals.Where(w => w.Status == WithdrawalStatus.Requested).Sum(w => w.AmountFen) ?? 0),
            (book?.Withdrawals ?? []).Select(WithdrawalView.Of).ToList());
    }

    /// <summary>The promoter's ledger lines (commission earned, reduced, settled, reversed; payouts).</summary>
    public async Task<ResultPage<LedgerEntry>> LedgerAsync(string promoterId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await ledger.QueryAsync(new DocumentQuery { PartitionKey = promoterId }, continuationToken, pageSize, cancellationToken);
        return new ResultPage<LedgerEntry>(page.Items.Select(e => e.Value).ToList(), page.ContinuationToken);
    }

    /// <summary>Requests a payout of settled commission; concurrent requests never add up to more than is settled.</summary>
    public async Task<WithdrawalView> RequestWithdrawalAsync(string customerId, string? idempotencyKey, WithdrawalRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idempotencyKey))
        {
            throw new DomainException(ErrorCode.IdempotencyKeyRequired, "Send an Idempotency-Key header so a retried request cannot withdraw twice.");
        }

        if ((await promoters.FindAsync(DocumentKey.Single(customerId), cancellationToken))?.Value.Status != PromoterStatus.Approved)
        {
            throw new DomainException(ErrorCode.NotAPromoter, "Only approved promoters can withdraw commission.");
        }

        var withdrawalId = Ids.Derive("W", customerId, idempotencyKey);
        var payee = (await customers.GetAsync(customerId, cancellationToken)).OpenId;
        var settled = (await BalancesAsync(customerId, cancellationToken)).SettledFen;
        var book = await books.TransitionAsync(
            DocumentKey.Single(customerId),
            current =>
            {
                var existing = current?.Value ?? new WithdrawalBook { PromoterId = customerId };
                var requested = existing.Request(withdrawalId, request.AmountFen!.Value, settled, time.GetUtcNow(), payee);
                return ReferenceEquals(requested, existing) && current is not null ? Decision.Keep<WithdrawalBook, WithdrawalBook>(existing) : Decision.Write(requested, requested);
            },
            cancellationToken);
        return WithdrawalView.Of(book.Withdrawals.Single(w => w.Id == withdrawalId));
    }

    /// <summary>
    /// An operator pays or rejects a withdrawal. The decision is taken first, on the guarded book, so a
    /// concurrent pay and reject cannot both win; a decision to pay carries its CommissionPaidOut event,
    /// from which <see cref="PayoutSender"/> instructs the payout once. Safe to repeat.
    /// </summary>
    public async Task<WithdrawalView> DecideWithdrawalAsync(string promoterId, string withdrawalId, bool pay, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var decided = await books.TransitionAsync(
            DocumentKey.Single(promoterId),
            current =>
            {
                var before = (current ?? throw DomainException.NotFound($"Withdrawal {withdrawalId}")).Value;
                var after = before.Decide(withdrawalId, pay, now);
                var amountFen = after.Withdrawals.Single(w => w.Id == withdrawalId).AmountFen;
                return ReferenceEquals(after, before)
                    ? Decision.Keep<WithdrawalBook, WithdrawalBook>(before)
                    : Decision.Write(after, after, pay ? [new CommissionPaidOut(promoterId, withdrawalId, amountFen) { OccurredAt = now }] : []);
            },
            cancellationToken);
        return WithdrawalView.Of(decided.Withdrawals.Single(w => w.Id == withdrawalId));
    }

    /// <summary>
    /// Sends the payout of a withdrawal decided paid, to the payee recorded with the request (a withdrawal asked for
    /// before payees were recorded goes to the promoter's openid); keyed by the withdrawal id, so a repeat never pays twice.
    /// </summary>
    public async Task SendPayoutAsync(CommissionPaidOut paidOut, CancellationToken cancellationToken)
    {
        var book = (await books.FindAsync(DocumentKey.Single(paidOut.PromoterId), cancellationToken))?.Value;
        var payee = book?.Withdrawals.FirstOrDefault(w => w.Id == paidOut.WithdrawalId)?.PayeeOpenId
            ?? (await customers.GetAsync(paidOut.PromoterId, cancellationToken)).OpenId;
        if (string.IsNullOrEmpty(payee))
        {
            throw new InvalidOperationException($"Withdrawal {paidOut.WithdrawalId} has no payee: its promoter erased their account before payees were recorded with requests.");
        }

        await payouts.TransferAsync(paidOut.WithdrawalId, payee, paidOut.AmountFen, "佣金提现 commission withdrawal", cancellationToken);
    }

    /// <summary>Whether a paid order can earn anyone commission (so a settlement process is worth starting).</summary>
    public async Task<bool> EarnsCommissionAsync(string buyerId, CancellationToken cancellationToken)
    {
        var buyer = await customers.GetAsync(buyerId, cancellationToken);
        return buyer.Referrers.Count > 0 || ((await GetPolicyAsync(cancellationToken)).SelfPurchaseCounts && await IsPromoterAsync(buyerId, cancellationToken));
    }

    /// <summary>Computes the order's commission, pending, once (later calls return the same).</summary>
    public async Task<CommissionProgress> AccrueAsync(string orderId, CancellationToken cancellationToken)
    {
        if (await commissions.FindAsync(DocumentKey.Single(orderId), cancellationToken) is null)
        {
            var order = await orders.GetAsync(orderId, cancellationToken);
            var buyer = await customers.GetAsync(order.CustomerId, cancellationToken);
            var policy = await GetPolicyAsync(cancellationToken);
            var chain = policy.Beneficiaries(buyer.Id, await IsPromoterAsync(buyer.Id, cancellationToken), buyer.Referrers);
            var beneficiaries = new List<string?>();
            foreach (var candidate in chain)
            {
                beneficiaries.Add(await IsPromoterAsync(candidate, cancellationToken) ? candidate : null);
            }

            // Commission is paid on the goods actually paid for (never shipping), at each product's rates.
            var parts = order.Lines.Select(line => new CommissionBase(RefundCalculator.PaidShare(order, line), policy.RatesFor(line.ProductId))).ToList();
            var commission = OrderCommission.Accrue(orderId, buyer.Id, parts, beneficiaries, policy.TotalCapBps);
            var now = time.GetUtcNow();
            await commissions.TransitionAsync(
                DocumentKey.Single(orderId),
                current => current is null
                    ? Decision.Write(commission, true, Movements(commission.AccrualMovements(), now))
                    : Decision.Keep<OrderCommission, bool>(false),
                cancellationToken);
        }

        return await SyncAsync(orderId, cancellationToken);
    }

    /// <summary>Brings the commission in line with the order's refunds and tells when it can settle.</summary>
    public Task<CommissionProgress> SyncAsync(string orderId, CancellationToken cancellationToken) =>
        ProgressAsync(orderId, settleIfDue: false, cancellationToken);

    /// <summary>Settles the commission if the order completed long enough ago and no refund is open.</summary>
    public Task<CommissionProgress> SettleAsync(string orderId, CancellationToken cancellationToken) =>
        ProgressAsync(orderId, settleIfDue: true, cancellationToken);

    public async Task<ReconciliationReport> ReconcileAsync(CancellationToken cancellationToken)
    {
        var all = new List<OrderCommission>();
        await foreach (var commission in commissions.ScanAsync(new DocumentQuery(), 500, cancellationToken))
        {
            all.Add(commission.Value);
        }

        var mismatches = new List<string>();
        var promoterIds = all.SelectMany(c => c.Shares).Select(s => s.PromoterId).Distinct().ToList();
        foreach (var promoterId in promoterIds)
        {
            var balances = await BalancesAsync(promoterId, cancellationToken);
            if (!balances.Matches(all, promoterId))
            {
                mismatches.Add($"{promoterId}: ledger {balances.PendingFen + balances.SettledFen} fen, orders {all.SelectMany(c => c.Shares).Where(s => s.PromoterId == promoterId).Sum(s => s.CurrentFen)} fen");
            }
        }

        return new ReconciliationReport(promoterIds.Count, all.Count, mismatches);
    }

    /// <summary>Indexes a new customer under each of their referrers, for team counts.</summary>
    public async Task IndexReferralsAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        for (var i = 0; i < customer.Referrers.Count; i++)
        {
            var level = i + 1;
            await referrals.UpsertAsync(new DocumentKey(customer.Referrers[i], $"{level}|{customerId}"), new ReferralEntry(customerId, level, customer.RegisteredAt), cancellationToken);
        }
    }

    public async Task<PromoterBalances> BalancesAsync(string promoterId, CancellationToken cancellationToken)
    {
        var entries = new List<LedgerEntry>();
        await foreach (var entry in ledger.ScanAsync(new DocumentQuery { PartitionKey = promoterId }, 1000, cancellationToken))
        {
            entries.Add(entry.Value);
        }

        return PromoterBalances.From(entries);
    }

    private async Task<CommissionProgress> ProgressAsync(string orderId, bool settleIfDue, CancellationToken cancellationToken)
    {
        if (await commissions.FindAsync(DocumentKey.Single(orderId), cancellationToken) is null)
        {
            return new CommissionProgress(null, null);
        }

        var order = await orders.GetAsync(orderId, cancellationToken);
        var now = time.GetUtcNow();
        var settleAt = order.Status == OrderStatus.Completed && order.CompletedAt is { } completedAt && order.ActiveRefund is null
            ? completedAt + options.SettleAfterCompletion
            : (DateTimeOffset?)null;
        var commission = await commissions.TransitionAsync(
            DocumentKey.Single(orderId),
            current =>
            {
                var (refunded, movements) = current!.Value.ApplyRefunds(order.RefundedFen);
                var (settled, settlement) = settleIfDue && settleAt <= now ? refunded.Settle(now) : (refunded, []);
                var all = movements.Concat(settlement).ToList();
                return all.Count == 0 && ReferenceEquals(settled, current.Value)
                    ? Decision.Keep<OrderCommission, OrderCommission>(current.Value)
                    : Decision.Write(settled, settled, Movements(all, now));
            },
            cancellationToken);
        return new CommissionProgress(commission.Status, commission.Status == CommissionStatus.Pending ? settleAt : null);
    }

    private async Task<bool> IsPromoterAsync(string customerId, CancellationToken cancellationToken) =>
        (await promoters.FindAsync(DocumentKey.Single(customerId), cancellationToken))?.Value.Status == PromoterStatus.Approved;

    private async Task<int> TeamSizeAsync(string promoterId, int level, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var _ in referrals.ScanAsync(new DocumentQuery { PartitionKey = promoterId, RowKeyPrefix = level.ToString(CultureInfo.InvariantCulture) + "|" }, 1000, cancellationToken))
        {
            count++;
        }

        return count;
    }

    private static List<IntegrationEvent> Movements(IEnumerable<CommissionMovement> movements, DateTimeOffset at) =>
        movements.Select(m => (IntegrationEvent)CommissionMovementEvent.For(m, at)).ToList();
}
