using System.Globalization;
using Mall.Domain.Common;

namespace Mall.Domain.Segmentation;

public enum CustomerSegment
{
    /// <summary>潜在: registered or visiting, no paid order.</summary>
    Potential,

    /// <summary>首单: exactly one paid order.</summary>
    FirstOrder,

    /// <summary>活跃: on average at least N paid orders a month over the last months.</summary>
    Active,

    /// <summary>Repeat buyers below Active.</summary>
    Regular,

    /// <summary>沉睡: no interaction for 180 days.</summary>
    Dormant,
}

/// <summary>Paid orders and amount in one CST calendar month ("2026-11").</summary>
public sealed record MonthlySpend(string Month, int Orders, long PaidFen);

/// <summary>
/// What segmentation (and membership) need to know about a customer's buying, kept on the customer as
/// orders are paid and refunded: counts and amounts per CST month for the last 13 months.
/// </summary>
public sealed record CustomerActivity
{
    public const int MonthsKept = 13;
    /// <summary>How many orders and refunds <see cref="CountedOrders"/> remembers: the window in which a repeat is recognised.</summary>
    public const int OrdersRemembered = 50;

    public int PaidOrders { get; init; }

    /// <summary>Everything paid, minus refunds, ever.</summary>
    public long LifetimePaidFen { get; init; }

    public DateTimeOffset? LastPaidAt { get; init; }

    public IReadOnlyList<MonthlySpend> Months { get; init; } = [];

    /// <summary>The latest orders and refunds counted, so a repeated event does not count twice.</summary>
    public IReadOnlyList<string> CountedOrders { get; init; } = [];

    public static string MonthOf(DateTimeOffset instant) => ChinaTime.ToCst(instant).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public CustomerActivity OrderPaid(string orderId, long paidFen, DateTimeOffset paidAt)
    {
        if (CountedOrders.Contains(orderId))
        {
            return this;
        }

        var month = MonthOf(paidAt);
        var months = Months.Any(m => m.Month == month)
            ? Months.Select(m => m.Month == month ? m with { Orders = m.Orders + 1, PaidFen = m.PaidFen + paidFen } : m)
            : Months.Append(new MonthlySpend(month, 1, paidFen));
        return this with
        {
            PaidOrders = PaidOrders + 1,
            LifetimePaidFen = LifetimePaidFen + paidFen,
            LastPaidAt = LastPaidAt is { } last && last > paidAt ? last : paidAt,
            Months = months.OrderByDescending(m => m.Month, StringComparer.Ordinal).Take(MonthsKept).ToList(),
            CountedOrders = Remember(orderId),
        };
    }

    /// <summary>
    /// Money went back: deducted from the month the order was paid in (tiers count net spend) and
    /// from the lifetime total, never below zero. The refund id makes a repeat a no-op.
    /// </summary>
    public CustomerActivity Refunded(string refundId, long refundedFen, DateTimeOffset orderPaidAt)
    {
        if (CountedOrders.Contains(refundId))
        {
            return this;
        }

        var month = MonthOf(orderPaidAt);
        return this with
        {
            LifetimePaidFen = Math.Max(0, LifetimePaidFen - refundedFen),
            Months = Months.Select(m => m.Month == month ? m with { PaidFen = Math.Max(0, m.PaidFen - refundedFen) } : m).ToList(),
            CountedOrders = Remember(refundId),
        };
    }

    /// <summary>
    /// The order was refunded in full: it is no longer a paid order, neither in the total nor in the
    /// month it was paid in (segments count orders kept). Once per order.
    /// </summary>
    public CustomerActivity RefundedInFull(string orderId, DateTimeOffset orderPaidAt)
    {
        var key = orderId + "|refunded";
        if (CountedOrders.Contains(key))
        {
            return this;
        }

        var month = MonthOf(orderPaidAt);
        return this with
        {
            PaidOrders = Math.Max(0, PaidOrders - 1),
            Months = Months.Select(m => m.Month == month ? m with { Orders = Math.Max(0, m.Orders - 1) } : m).ToList(),
            CountedOrders = Remember(key),
        };
    }

    /// <summary>Net amount paid in one CST month ("2026-11").</summary>
    public long PaidInMonth(string month) => Months.FirstOrDefault(m => m.Month == month)?.PaidFen ?? 0;

    /// <summary>Paid orders in the <paramref name="count"/> CST months ending with the month of <paramref name="now"/>.</summary>
    public int OrdersInLastMonths(DateTimeOffset now, int count)
    {
        var cst = ChinaTime.ToCst(now);
        var wanted = Enumerable.Range(0, count).Select(i => cst.AddMonths(-i).ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        return Months.Where(m => wanted.Contains(m.Month)).Sum(m => m.Orders);
    }

    private List<string> Remember(string key) => [.. CountedOrders.TakeLast(OrdersRemembered - 1), key];
}

/// <summary>The segment rules of SPEC §4.4 (defaults in SegmentationOptions).</summary>
public sealed record SegmentRules
{
    public required int DormantAfterDays { get; init; }

    public required int ActiveOrdersPerMonth { get; init; }

    public required int ActiveWindowMonths { get; init; }

    /// <param name="lastInteraction">The latest of registration, login and payment.</param>
    public CustomerSegment Classify(CustomerActivity activity, DateTimeOffset lastInteraction, DateTimeOffset now)
    {
        if (now - lastInteraction >= TimeSpan.FromDays(DormantAfterDays))
        {
            return CustomerSegment.Dormant;
        }

        return activity.PaidOrders switch
        {
            0 => CustomerSegment.Potential,
            1 => CustomerSegment.FirstOrder,
            _ when activity.OrdersInLastMonths(now, ActiveWindowMonths) >= ActiveOrdersPerMonth * ActiveWindowMonths => CustomerSegment.Active,
            _ => CustomerSegment.Regular,
        };
    }
}

/// <summary>A customer's segment and since when; the history is the CustomerSegmentChanged events.</summary>
public sealed record SegmentAssignment(CustomerSegment Segment, DateTimeOffset Since);
