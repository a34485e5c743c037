namespace Mall.Domain.Membership;

/// <summary>
/// The points one paid order earned its customer (per yuan paid, at the rate of the day it was paid)
/// and how many of them its refunds have taken back. Reversal is cumulative, like the refund split of
/// the cash: what has been refunded in total decides what must have been reversed (earned × refunded
/// ÷ paid, floored; everything once the order is refunded in full), so refunds in any number of steps
/// take back exactly what the order earned. The customer's balance follows by events
/// (<see cref="OrderPointsChanged"/>), and may go below zero: points already spent are owed.
/// </summary>
public sealed record OrderPoints
{
    public required string OrderId { get; init; }

    public required string CustomerId { get; init; }

    public required long PaidFen { get; init; }

    public required long EarnedPoints { get; init; }

    /// <summary>How much of <see cref="PaidFen"/> has been refunded so far.</summary>
    public long RefundedFen { get; init; }

    public long ReversedPoints { get; init; }

    /// <summary>The order was paid: what it earns (no change to announce when that is nothing, e.g. under one yuan).</summary>
    public static (OrderPoints Points, OrderPointsChanged? Earned) Earn(string orderId, string customerId, long paidFen, int pointsPerYuan, DateTimeOffset now)
    {
        var points = new OrderPoints { OrderId = orderId, CustomerId = customerId, PaidFen = paidFen, EarnedPoints = paidFen / 100 * pointsPerYuan };
        return (points, points.EarnedPoints == 0 ? null : new OrderPointsChanged(customerId, orderId, $"{orderId}|earned", points.EarnedPoints) { OccurredAt = now });
    }

    /// <summary>
    /// The order's refunds now add up to <paramref name="refundedFen"/> (cumulative). Reverses what that
    /// total calls for beyond what was reversed before; the same total again changes nothing.
    /// </summary>
    public (OrderPoints Points, OrderPointsChanged? Reversed) RefundedTo(long refundedFen, DateTimeOffset now)
    {
        var refunded = Math.Min(refundedFen, PaidFen);
        if (refunded <= RefundedFen)
        {
            return (this, null);
        }

        var due = refunded == PaidFen ? EarnedPoints : EarnedPoints * refunded / PaidFen;
        var reversed = this with { RefundedFen = refunded, ReversedPoints = due };
        return due == ReversedPoints
            ? (reversed, null)
            : (reversed, new OrderPointsChanged(CustomerId, OrderId, $"{OrderId}|reversed-{refunded}", ReversedPoints - due) { OccurredAt = now });
    }
}
