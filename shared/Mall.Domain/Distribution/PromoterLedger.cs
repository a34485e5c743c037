using Mall.Domain.Common;

namespace Mall.Domain.Distribution;

/// <summary>An append-only ledger line of a promoter's commission account; <see cref="Key"/> makes writing it idempotent.</summary>
public sealed record LedgerEntry(string PromoterId, string Key, CommissionEntryKind? Commission, string? WithdrawalId, string? OrderId, long AmountFen, DateTimeOffset At)
{
    public static LedgerEntry For(CommissionMovementEvent movement) =>
        new(movement.PromoterId, movement.Key, KindOf(movement), null, movement.OrderId, movement.AmountFen, movement.OccurredAt);

    public static LedgerEntry PaidOut(string promoterId, string withdrawalId, long amountFen, DateTimeOffset at) =>
        new(promoterId, $"withdrawal|{withdrawalId}", null, withdrawalId, null, amountFen, at);

    private static CommissionEntryKind KindOf(CommissionMovementEvent movement) => movement switch
    {
        CommissionAccrued => CommissionEntryKind.Accrued,
        CommissionReduced => CommissionEntryKind.Reduced,
        CommissionSettled => CommissionEntryKind.Settled,
        CommissionReversed => CommissionEntryKind.Reversed,
        _ => throw new ArgumentOutOfRangeException(nameof(movement), movement.Name, "Unknown commission movement."),
    };
}

/// <summary>A promoter's balances, derived from their ledger lines only.</summary>
public sealed record PromoterBalances(long PendingFen, long SettledFen, long WithdrawnFen)
{
    /// <summary>Settled commission not yet paid out (can go below zero if a refund reversed paid-out commission).</summary>
    public long WithdrawableFen => SettledFen - WithdrawnFen;

    public static PromoterBalances From(IEnumerable<LedgerEntry> entries)
    {
        long pending = 0, settled = 0, withdrawn = 0;
        foreach (var entry in entries)
        {
            switch (entry.Commission)
            {
                case CommissionEntryKind.Accrued or CommissionEntryKind.Reduced:
                    pending += entry.AmountFen;
                    break;
                case CommissionEntryKind.Settled:
                    pending -= entry.AmountFen;
                    settled += entry.AmountFen;
                    break;
                case CommissionEntryKind.Reversed:
                    settled += entry.AmountFen;
                    break;
                case null:
                    withdrawn += entry.AmountFen;
                    break;
            }
        }

        return new PromoterBalances(pending, settled, withdrawn);
    }

    /// <summary>
    /// The books balance when what the ledger says is owed (pending + settled) equals the sum of the
    /// orders' current commission shares for this promoter.
    /// </summary>
    public bool Matches(IEnumerable<OrderCommission> commissions, string promoterId) =>
        PendingFen + SettledFen == commissions.SelectMany(c => c.Shares).Where(s => s.PromoterId == promoterId).Sum(s => s.CurrentFen);
}

public enum WithdrawalStatus
{
    Requested,
    Paid,
    Rejected,
}

public sealed record Withdrawal(string Id, long AmountFen, WithdrawalStatus Status, DateTimeOffset RequestedAt)
{
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Where the payout goes (the promoter's openid when they asked), so it is paid even if they erase their account meanwhile.</summary>
    public string? PayeeOpenId { get; init; }

    public bool Holds => Status is WithdrawalStatus.Requested or WithdrawalStatus.Paid;
}

/// <summary>
/// A promoter's withdrawals. Every request is decided against the settled balance minus everything
/// already requested or paid, on one guarded document, so concurrent requests can never together
/// exceed what was settled. The book stays bounded: at most <see cref="MaxRequested"/> requests wait
/// for a decision, and of the decided ones the latest <see cref="DecidedKept"/> are listed (their
/// ids recognise a retried request); older paid ones count on in <see cref="EarlierPaidFen"/>, and the
/// ledger keeps every payout.
/// </summary>
public sealed record WithdrawalBook
{
    public const long MinimumFen = 100;
    public const int MaxRequested = 10;
    public const int DecidedKept = 50;

    public required string PromoterId { get; init; }

    public IReadOnlyList<Withdrawal> Withdrawals { get; init; } = [];

    /// <summary>What the paid withdrawals no longer listed came to.</summary>
    public long EarlierPaidFen { get; init; }

    public long HeldFen => EarlierPaidFen + Withdrawals.Where(w => w.Holds).Sum(w => w.AmountFen);

    public WithdrawalBook Request(string withdrawalId, long amountFen, long settledFen, DateTimeOffset now, string? payeeOpenId = null)
    {
        if (Withdrawals.Any(w => w.Id == withdrawalId))
        {
            return this;
        }

        if (amountFen < MinimumFen)
        {
            throw DomainException.Validation("amountFen", $"Withdraw at least {MinimumFen} fen.");
        }

        if (Withdrawals.Count(w => w.Status == WithdrawalStatus.Requested) >= MaxRequested)
        {
            throw new DomainException(ErrorCode.WithdrawalLimitReached, $"{MaxRequested} withdrawals are already waiting for a decision; request more once they are decided.");
        }

        var available = settledFen - HeldFen;
        if (amountFen > available)
        {
            throw new DomainException(ErrorCode.WithdrawalExceedsBalance, $"Only {Math.Max(0, available)} fen can be withdrawn.");
        }

        return this with { Withdrawals = [.. Withdrawals, new Withdrawal(withdrawalId, amountFen, WithdrawalStatus.Requested, now) { PayeeOpenId = payeeOpenId }] };
    }

    public WithdrawalBook Decide(string withdrawalId, bool paid, DateTimeOffset now)
    {
        var withdrawal = Withdrawals.FirstOrDefault(w => w.Id == withdrawalId) ?? throw DomainException.NotFound($"Withdrawal {withdrawalId}");
        if (withdrawal.Status != WithdrawalStatus.Requested)
        {
            return withdrawal.Status == (paid ? WithdrawalStatus.Paid : WithdrawalStatus.Rejected)
                ? this
                : throw new DomainException(ErrorCode.InvalidOrderState, $"Withdrawal {withdrawalId} is already {withdrawal.Status}.");
        }

        var decided = withdrawal with { Status = paid ? WithdrawalStatus.Paid : WithdrawalStatus.Rejected, DecidedAt = now };
        return (this with { Withdrawals = Withdrawals.Select(w => w.Id == withdrawalId ? decided : w).ToList() }).WithoutOldDecisions();
    }

    /// <summary>Drops the oldest decided withdrawals beyond <see cref="DecidedKept"/>, keeping what the paid ones came to.</summary>
    private WithdrawalBook WithoutOldDecisions()
    {
        var dropped = Withdrawals.Where(w => w.Status != WithdrawalStatus.Requested).SkipLast(DecidedKept).ToList();
        return dropped.Count == 0
            ? this
            : this with
            {
                Withdrawals = Withdrawals.Except(dropped).ToList(),
                EarlierPaidFen = EarlierPaidFen + dropped.Where(w => w.Status == WithdrawalStatus.Paid).Sum(w => w.AmountFen),
            };
    }
}
