using Mall.Domain.Common;

namespace Mall.Domain.Distribution;

public enum CommissionStatus
{
    /// <summary>Earned but not yet payable: the order can still be refunded.</summary>
    Pending,

    /// <summary>Withdrawable.</summary>
    Settled,

    /// <summary>The order was refunded in full before settlement.</summary>
    Cancelled,
}

/// <summary>Part of an order's commissionable amount (a line's paid goods) and the rates that apply to it.</summary>
public sealed record CommissionBase(long BaseFen, CommissionRates Rates);

/// <summary>One level's commission on one order; <see cref="RateBps"/> is the effective rate over the whole order.</summary>
public sealed record CommissionShare(int Level, string PromoterId, int RateBps, long OriginalFen)
{
    /// <summary>What the share is worth now, after refunds.</summary>
    public long CurrentFen { get; init; } = OriginalFen;
}

/// <summary>A ledger movement the commission of an order needs; its key makes recording it idempotent.</summary>
public sealed record CommissionMovement(string OrderId, int Level, string PromoterId, CommissionEntryKind Kind, long AmountFen, string Key);

public enum CommissionEntryKind
{
    /// <summary>Commission earned, pending.</summary>
    Accrued,

    /// <summary>Pending commission given up because of a refund (before settlement).</summary>
    Reduced,

    /// <summary>Pending became withdrawable.</summary>
    Settled,

    /// <summary>Withdrawable commission taken back because of a refund after settlement.</summary>
    Reversed,
}

/// <summary>
/// The commission of one paid order. Amounts are floored to the fen on the commissionable amount
/// (goods actually paid; never shipping). Refunds shrink every share in proportion to what is still
/// kept, with the same cumulative flooring, so any sequence of partial refunds ending in a full
/// refund takes back exactly what was earned.
/// </summary>
public sealed record OrderCommission
{
    public required string OrderId { get; init; }

    public required string BuyerId { get; init; }

    /// <summary>The commissionable amount at payment.</summary>
    public required long BaseFen { get; init; }

    /// <summary>How much of <see cref="BaseFen"/> has been refunded.</summary>
    public long RefundedBaseFen { get; init; }

    public required IReadOnlyList<CommissionShare> Shares { get; init; }

    public CommissionStatus Status { get; init; } = CommissionStatus.Pending;

    public DateTimeOffset? SettledAt { get; init; }

    public long CurrentTotalFen => Shares.Sum(s => s.CurrentFen);

    /// <summary>
    /// Splits the commissionable amount — the sum of <paramref name="parts"/>, each with its own rates
    /// (per-product overrides) — among <paramref name="beneficiaries"/>: nearest first, at most three,
    /// null where the person at that level is not a promoter (that share is simply not paid).
    /// </summary>
    public static OrderCommission Accrue(string orderId, string buyerId, IReadOnlyList<CommissionBase> parts, IReadOnlyList<string?> beneficiaries, int totalCapBps)
    {
        if (beneficiaries.Count > CommissionPolicy.MaxLevels)
        {
            throw DomainException.Validation("beneficiaries", $"Commission goes at most {CommissionPolicy.MaxLevels} levels deep.");
        }

        var baseFen = parts.Sum(p => p.BaseFen);
        var cap = baseFen * totalCapBps / 10_000;
        var shares = new List<CommissionShare>();
        var paid = 0L;
        for (var i = 0; i < beneficiaries.Count; i++)
        {
            var level = i + 1;
            // Floored per part, then summed; nearer levels are served first and the cap trims the rest.
            var amount = Math.Min(parts.Sum(p => p.BaseFen * p.Rates.ForLevel(level) / 10_000), cap - paid);
            if (beneficiaries[i] is { } promoterId && amount > 0)
            {
                shares.Add(new CommissionShare(level, promoterId, (int)(amount * 10_000 / baseFen), amount));
                paid += amount;
            }
        }

        return new OrderCommission { OrderId = orderId, BuyerId = buyerId, BaseFen = baseFen, Shares = shares };
    }

    /// <summary>The ledger movements that record the accrual.</summary>
    public IReadOnlyList<CommissionMovement> AccrualMovements() =>
        Shares.Select(s => Movement(s, CommissionEntryKind.Accrued, s.OriginalFen, "accrued")).ToList();

    /// <summary>
    /// The order has now had <paramref name="refundedBaseFen"/> of its commissionable amount refunded
    /// (cumulative). Shrinks the shares; before settlement the difference is given up, after it is reversed.
    /// </summary>
    public (OrderCommission Commission, IReadOnlyList<CommissionMovement> Movements) ApplyRefunds(long refundedBaseFen)
    {
        var refunded = Math.Clamp(refundedBaseFen, 0, BaseFen);
        if (refunded <= RefundedBaseFen || Status == CommissionStatus.Cancelled)
        {
            return (this, []);
        }

        var kept = BaseFen - refunded;
        var kind = Status == CommissionStatus.Settled ? CommissionEntryKind.Reversed : CommissionEntryKind.Reduced;
        var movements = new List<CommissionMovement>();
        var shares = Shares.Select(share =>
        {
            var current = BaseFen == 0 ? 0 : share.OriginalFen * kept / BaseFen;
            if (current < share.CurrentFen)
            {
                // Keyed by the refunded total, so replaying the same refund state records nothing twice.
                movements.Add(Movement(share, kind, -(share.CurrentFen - current), $"{kind.ToString().ToLowerInvariant()}-{refunded}"));
            }

            return share with { CurrentFen = current };
        }).ToList();
        var status = kept == 0 && Status == CommissionStatus.Pending ? CommissionStatus.Cancelled : Status;
        return (this with { Shares = shares, RefundedBaseFen = refunded, Status = status }, movements);
    }

    /// <summary>The after-sale window is over: pending commission becomes withdrawable.</summary>
    public (OrderCommission Commission, IReadOnlyList<CommissionMovement> Movements) Settle(DateTimeOffset now)
    {
        if (Status != CommissionStatus.Pending)
        {
            return (this, []);
        }

        var movements = Shares.Where(s => s.CurrentFen > 0).Select(s => Movement(s, CommissionEntryKind.Settled, s.CurrentFen, "settled")).ToList();
        return (this with { Status = CommissionStatus.Settled, SettledAt = now }, movements);
    }

    private CommissionMovement Movement(CommissionShare share, CommissionEntryKind kind, long amount, string step) =>
        new(OrderId, share.Level, share.PromoterId, kind, amount, $"{OrderId}|{share.Level}|{step}");
}
