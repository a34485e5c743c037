using Mall.Domain.Common;

namespace Mall.Domain.Campaigns;

public enum CampaignKind
{
    /// <summary>A limited-time discount 限时折扣 on the calendar (a price rule with a window).</summary>
    Discount,

    /// <summary>The monthly brand day 品牌日, in the configured week of the month.</summary>
    BrandDay,

    /// <summary>A festival campaign 节日大促: a warm-up with a presale (deposit inflation) before the main days.</summary>
    Festival,
}

public enum CampaignStatus
{
    /// <summary>Created; its price rule is being set up (a retry with the same Idempotency-Key finishes it).</summary>
    Preparing,

    /// <summary>On the calendar; its milestones are reached one by one as their times come.</summary>
    Scheduled,

    /// <summary>Withdrawn by the operator before anything of it ran.</summary>
    Cancelled,
}

/// <summary>The points in time of a campaign, reached in this order (ties: in enum order).</summary>
public enum CampaignMilestone
{
    /// <summary>A festival's warm-up 预热 begins: its presale opens for deposits.</summary>
    WarmUp,

    /// <summary>The pre-announcement 预告 goes out to the customers who accepted its message template.</summary>
    Announce,

    Start,

    End,
}

/// <summary>What a festival's presale sells (its windows follow from the campaign).</summary>
public sealed record FestivalPresale(string SkuId, long DepositFen, long DepositValueFen, long FinalPriceFen, bool DepositRefundable, int BalanceHours);

/// <summary>A milestone as it was reached: when it was due and when the calendar reached it (late after downtime).</summary>
public sealed record ReachedMilestone(CampaignMilestone Milestone, DateTimeOffset DueAt, DateTimeOffset ReachedAt);

/// <summary>
/// A campaign on the calendar. Its milestones (warm-up, announcement, start, end) are reached
/// strictly in time order, each by one guarded write that records it (and its integration event),
/// so each happens exactly once however many timer runs are missed, late or concurrent.
/// </summary>
public sealed record Campaign
{
    public const int MaxProducts = 200;

    public required string Id { get; init; }

    public required CampaignKind Kind { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset StartsAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>A festival's warm-up start (its presale's deposit window opens then).</summary>
    public DateTimeOffset? WarmUpStartsAt { get; init; }

    /// <summary>When the pre-announcement is sent (null: the campaign is not announced).</summary>
    public DateTimeOffset? AnnounceAt { get; init; }

    /// <summary>What customers pay in its window, in basis points of the listed price (null: no discount of its own).</summary>
    public int? PriceBps { get; init; }

    /// <summary>The products it covers (empty: the whole shop).</summary>
    public IReadOnlyList<string> ProductIds { get; init; } = [];

    /// <summary>Its limited-time discount: linked (an existing rule) or created with it.</summary>
    public string? PriceRuleId { get; init; }

    public bool OwnsPriceRule { get; init; }

    public FestivalPresale? Presale { get; init; }

    /// <summary>The presale opened at the warm-up (a deterministic id, so it is opened once).</summary>
    public string? PresaleCampaignId { get; init; }

    public required CampaignStatus Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CancelledAt { get; init; }

    public IReadOnlyList<ReachedMilestone> Reached { get; init; } = [];

    public bool Announced => AnnounceAt is not null;

    /// <summary>Orders paid from here to <see cref="EndsAt"/> count for it (the warm-up's deposits included).</summary>
    public DateTimeOffset AttributionStartsAt => WarmUpStartsAt ?? StartsAt;

    /// <summary>Its milestones in the order they are reached.</summary>
    public IReadOnlyList<(CampaignMilestone Milestone, DateTimeOffset DueAt)> Milestones()
    {
        var list = new List<(CampaignMilestone, DateTimeOffset)>();
        if (WarmUpStartsAt is { } warmUp)
        {
            list.Add((CampaignMilestone.WarmUp, warmUp));
        }

        if (AnnounceAt is { } announce)
        {
            list.Add((CampaignMilestone.Announce, announce));
        }

        list.Add((CampaignMilestone.Start, StartsAt));
        list.Add((CampaignMilestone.End, EndsAt));
        return list.OrderBy(m => m.Item2).ThenBy(m => m.Item1).ToList();
    }

    public bool HasReached(CampaignMilestone milestone) => Reached.Any(r => r.Milestone == milestone);

    /// <summary>The next milestone to reach (null: ended or cancelled).</summary>
    public (CampaignMilestone Milestone, DateTimeOffset DueAt)? Next() =>
        Status != CampaignStatus.Scheduled ? null : Milestones().Where(m => !HasReached(m.Milestone)).Select(m => ((CampaignMilestone, DateTimeOffset)?)m).FirstOrDefault();

    /// <summary>The next milestone if it is due at <paramref name="now"/>.</summary>
    public (CampaignMilestone Milestone, DateTimeOffset DueAt)? NextDue(DateTimeOffset now) => Next() is { } next && next.DueAt <= now ? next : null;

    /// <summary>
    /// Records <paramref name="milestone"/> as reached at <paramref name="now"/>, with its event. Only the
    /// next milestone, once due, can be reached: earlier ones first, never one twice.
    /// </summary>
    public (Campaign Campaign, IntegrationEvent? Event) Reach(CampaignMilestone milestone, DateTimeOffset now)
    {
        if (NextDue(now) is not { } next || next.Milestone != milestone)
        {
            throw new InvalidOperationException($"Campaign {Id}: {milestone} is not the next milestone due at {now:O}.");
        }

        var reached = this with { Reached = [.. Reached, new ReachedMilestone(milestone, next.DueAt, now)] };
        IntegrationEvent? raised = milestone switch
        {
            CampaignMilestone.Start => new CampaignStarted(Id, Kind, Name, StartsAt, EndsAt, Announced, PriceRuleId, PresaleCampaignId) { OccurredAt = now },
            CampaignMilestone.End => new CampaignEnded(Id, Kind, StartsAt, EndsAt) { OccurredAt = now },
            _ => null,
        };
        return (reached, raised);
    }

    /// <summary>Withdrawn before anything ran: refused once its warm-up, announcement or start was reached.</summary>
    public Campaign Cancel(DateTimeOffset now)
    {
        if (Status == CampaignStatus.Cancelled)
        {
            return this;
        }

        if (Reached.Count > 0)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Campaign {Id} has already reached {Reached[^1].Milestone}; it can no longer be cancelled.");
        }

        return this with { Status = CampaignStatus.Cancelled, CancelledAt = now };
    }

    /// <summary>
    /// Whether an order paid at <paramref name="paidAt"/> counts for this campaign: paid within its window
    /// (warm-up included), and for a campaign of some products, holding one of them or being its
    /// presale's order.
    /// </summary>
    public bool Attributes(DateTimeOffset paidAt, IEnumerable<string> orderProductIds, string? orderCampaignId) =>
        Status == CampaignStatus.Scheduled
        && paidAt >= AttributionStartsAt && paidAt < EndsAt
        && (ProductIds.Count == 0 || orderProductIds.Any(ProductIds.Contains) || (PresaleCampaignId is not null && orderCampaignId == PresaleCampaignId));
}

/// <summary>The brand day of a month: the given weekday in the given week of the month (seed: the third week).</summary>
public static class BrandDayRule
{
    /// <summary>The <paramref name="weekOfMonth"/>-th <paramref name="day"/> of the month (week 3: between the 15th and the 21st).</summary>
    public static DateOnly DateIn(int year, int month, int weekOfMonth, DayOfWeek day)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)day - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + (7 * (weekOfMonth - 1)));
    }
}

/// <summary>Shares and ratios in basis points, rounded down (1 = 0.01%).</summary>
public static class BasisPoints
{
    public static long? Share(long part, long whole) => whole <= 0 ? null : part * 10_000 / whole;

    /// <summary>
    /// How many times as many participants an announced campaign had as an unannounced one, on average,
    /// in basis points (30000 = 3×, the seed's figure); null when either side has no campaign or no participant.
    /// </summary>
    public static long? Lift(long announcedParticipants, int announcedCampaigns, long unannouncedParticipants, int unannouncedCampaigns) =>
        announcedCampaigns == 0 || unannouncedCampaigns == 0 || unannouncedParticipants == 0
            ? null
            : announcedParticipants * unannouncedCampaigns * 10_000 / (announcedCampaigns * unannouncedParticipants);
}
