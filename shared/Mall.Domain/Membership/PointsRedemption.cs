namespace Mall.Domain.Membership;

/// <summary>Points used at checkout and the cash they stand for.</summary>
public sealed record PointsRedemption(long Points, long ValueFen)
{
    public static readonly PointsRedemption None = new(0, 0);
}

/// <summary>Points to cash (SPEC §4.5): default 100 points = 1 yuan, capped at a share of the order.</summary>
public sealed record PointsRules
{
    public int PointsPerYuan { get; init; } = 100;

    /// <summary>At most this share of the goods (after discounts) may be paid with points.</summary>
    public int MaxShareBps { get; init; } = 5_000;

    /// <summary>
    /// What <paramref name="requested"/> points buy on an order whose goods come to <paramref name="payableGoodsFen"/>:
    /// limited by the balance, the cap and what the order can still take off (<paramref name="maxValueFen"/>),
    /// whole fen only, and only the points that value needs are taken.
    /// </summary>
    public PointsRedemption Redeem(long requested, long balance, long payableGoodsFen, long maxValueFen = long.MaxValue)
    {
        var capFen = Math.Min(payableGoodsFen * MaxShareBps / 10_000, maxValueFen);
        var valueFen = Math.Min(Math.Min(requested, balance) * 100 / PointsPerYuan, capFen);
        if (valueFen <= 0)
        {
            return PointsRedemption.None;
        }

        return new PointsRedemption((valueFen * PointsPerYuan + 99) / 100, valueFen);
    }
}
