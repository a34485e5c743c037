using Mall.Domain.Common;

namespace Mall.Domain.Distribution;

/// <summary>A movement of one promoter's commission on one order: one line of their ledger.</summary>
/// <param name="Level">1, 2 or 3: how far up the referral chain the promoter is from the buyer.</param>
/// <param name="AmountFen">Signed: positive adds to the balance the kind names, negative takes from it.</param>
/// <param name="Key">The ledger line's identity ("{orderId}|{level}|{step}", e.g. "O1|1|accrued", "O1|2|reduced-500").</param>
public abstract record CommissionMovementEvent(string PromoterId, string OrderId, int Level, long AmountFen, string Key) : IntegrationEvent
{
    public override string Id => $"commission:{Key}";

    public override string SubjectId => OrderId;

    public static CommissionMovementEvent For(CommissionMovement movement, DateTimeOffset at)
    {
        var (promoter, order, level, amount, key) = (movement.PromoterId, movement.OrderId, movement.Level, movement.AmountFen, movement.Key);
        return movement.Kind switch
        {
            CommissionEntryKind.Accrued => new CommissionAccrued(promoter, order, level, amount, key) { OccurredAt = at },
            CommissionEntryKind.Reduced => new CommissionReduced(promoter, order, level, amount, key) { OccurredAt = at },
            CommissionEntryKind.Settled => new CommissionSettled(promoter, order, level, amount, key) { OccurredAt = at },
            CommissionEntryKind.Reversed => new CommissionReversed(promoter, order, level, amount, key) { OccurredAt = at },
            _ => throw new ArgumentOutOfRangeException(nameof(movement), movement.Kind, "Unknown commission movement."),
        };
    }
}

/// <summary>A paid order earned the promoter commission; pending until the after-sale window has passed.</summary>
public sealed record CommissionAccrued(string PromoterId, string OrderId, int Level, long AmountFen, string Key)
    : CommissionMovementEvent(PromoterId, OrderId, Level, AmountFen, Key);

/// <summary>A refund before settlement took back part of the pending commission (amount negative).</summary>
public sealed record CommissionReduced(string PromoterId, string OrderId, int Level, long AmountFen, string Key)
    : CommissionMovementEvent(PromoterId, OrderId, Level, AmountFen, Key);

/// <summary>The after-sale window passed: pending commission became withdrawable.</summary>
public sealed record CommissionSettled(string PromoterId, string OrderId, int Level, long AmountFen, string Key)
    : CommissionMovementEvent(PromoterId, OrderId, Level, AmountFen, Key);

/// <summary>A refund after settlement took back withdrawable commission (amount negative).</summary>
public sealed record CommissionReversed(string PromoterId, string OrderId, int Level, long AmountFen, string Key)
    : CommissionMovementEvent(PromoterId, OrderId, Level, AmountFen, Key);

/// <summary>An operator paid out a promoter's withdrawal.</summary>
public sealed record CommissionPaidOut(string PromoterId, string WithdrawalId, long AmountFen) : IntegrationEvent
{
    public override string Id => $"commission:withdrawal|{WithdrawalId}";

    public override string SubjectId => PromoterId;
}
