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

    /// <summary>
    /// Withdrawn by the operator before anything of it could have reached a customer: before its start
    /// (its price applies from then) and before any run began setting its warm-up or announcement going.
    /// </summary>
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
public sealed record ReachedMilestone(CampaignMilestone Milestone, DateTimeOffset DueAt, DateTimeOffset ReachedAt)
{
    /// <summary>
    /// Reached without its effect: a pre-announcement first reached once its campaign had started
    /// (after downtime) is not sent, since it would announce a start that is past.
    /// </summary>
    public bool Skipped { get; init; }
}

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

    /// <summary>
    /// The milestone whose effects outside the campaign (its presale, its announcement's messages) a run
    /// is setting going. Recorded by a guarded write before they start, so a cancel — decided by a guarded
    /// write of the same document — either comes first (and the run then starts nothing) or is refused.
    /// </summary>
    public CampaignMilestone? Reaching { get; init; }

    /// <summary>Announced (or to be): it has a pre-announcement that was not skipped for coming too late.</summary>
    public bool Announced => AnnounceAt is not null && !Reached.Any(r => r.Milestone == CampaignMilestone.Announce && r.Skipped);

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

    /// <summary>
    /// Whether an existing price rule's window fits a campaign's, so the rule can be linked: it may not
    /// apply before the campaign starts nor after it ends (its CampaignEnded would not end the discount).
    /// </summary>
    public static bool RuleFits(DateTimeOffset ruleStartsAt, DateTimeOffset ruleEndsAt, DateTimeOffset startsAt, DateTimeOffset endsAt) =>
        ruleStartsAt >= startsAt && ruleEndsAt <= endsAt;

    public bool HasReached(CampaignMilestone milestone) => Reached.Any(r => r.Milestone == milestone);

    /// <summary>The next milestone to reach (null: ended or cancelled).</summary>
    public (CampaignMilestone Milestone, DateTimeOffset DueAt)? Next() =>
        Status != CampaignStatus.Scheduled ? null : Milestones().Where(m => !HasReached(m.Milestone)).Select(m => ((CampaignMilestone, DateTimeOffset)?)m).FirstOrDefault();

    /// <summary>The next milestone if it is due at <paramref name="now"/>.</summary>
    public (CampaignMilestone Milestone, DateTimeOffset DueAt)? NextDue(DateTimeOffset now) => Next() is { } next && next.DueAt <= now ? next : null;

    /// <summary>
    /// Whether reaching <paramref name="milestone"/> at <paramref name="now"/> sets something going outside
    /// the campaign: the warm-up opens the presale; the announcement sends messages, unless its campaign
    /// already started (then it is skipped: a pre-announcement of a past start is never sent).
    /// </summary>
    public bool HasEffects(CampaignMilestone milestone, DateTimeOffset now) => milestone switch
    {
        CampaignMilestone.WarmUp => Presale is not null,
        CampaignMilestone.Announce => now < StartsAt,
        _ => false,
    };

    /// <summary>Whether a pre-announcement may still go out at <paramref name="now"/>: only before its campaign starts.</summary>
    public bool MayAnnounce(DateTimeOffset now) => Status == CampaignStatus.Scheduled && now < StartsAt;

    /// <summary>
    /// Records that a run is setting <paramref name="milestone"/>'s effects going (see <see cref="Reaching"/>);
    /// from then on the campaign can no longer be cancelled. Only the next milestone, once due.
    /// </summary>
    public Campaign BeginReaching(CampaignMilestone milestone, DateTimeOffset now)
    {
        if (NextDue(now) is not { } next || next.Milestone != milestone)
        {
            throw new InvalidOperationException($"Campaign {Id}: {milestone} is not the next milestone due at {now:O}.");
        }

        return Reaching == milestone ? this : this with { Reaching = milestone };
    }

    /// <summary>
    /// Records <paramref name="milestone"/> as reached at <paramref name="now"/>, with its event. Only the
    /// next milestone, once due, can be reached: earlier ones first, never one twice; one with effects
    /// only after <see cref="BeginReaching"/> recorded them.
    /// </summary>
    public (Campaign Campaign, IntegrationEvent? Event) Reach(CampaignMilestone milestone, DateTimeOffset now)
    {
        if (NextDue(now) is not { } next || next.Milestone != milestone)
        {
            throw new InvalidOperationException($"Campaign {Id}: {milestone} is not the next milestone due at {now:O}.");
        }

        if (HasEffects(milestone, now) && Reaching != milestone)
        {
            throw new InvalidOperationException($"Campaign {Id}: {milestone} sets effects going; begin reaching it first.");
        }

        var skipped = milestone == CampaignMilestone.Announce && Reaching != CampaignMilestone.Announce;
        var reached = this with { Reached = [.. Reached, new ReachedMilestone(milestone, next.DueAt, now) { Skipped = skipped }], Reaching = null };
        IntegrationEvent? raised = milestone switch
        {
            CampaignMilestone.Start => new CampaignStarted(Id, Kind, Name, StartsAt, EndsAt, reached.Announced, PriceRuleId, PresaleCampaignId) { OccurredAt = now },
            CampaignMilestone.End => new CampaignEnded(Id, Kind, StartsAt, EndsAt) { OccurredAt = now },
            _ => null,
        };
        return (reached, raised);
    }

    /// <summary>
    /// Withdrawn before anything of it could have reached a customer. Refused once a milestone was reached
    /// or a run began setting one's effects going (<see cref="Reaching"/>), and once its start passed
    /// (its price rule applies at checkout from then, whether or not a run recorded the start).
    /// </summary>
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

        if (Reaching is { } reaching)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Campaign {Id} is reaching its {reaching} (its effects may have gone out); it can no longer be cancelled.");
        }

        if (now >= StartsAt)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Campaign {Id} started at {StartsAt:O} (its price applies); it can no longer be cancelled.");
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
    /// <summary>How many times one month's brand day can be planned again after being cancelled.</summary>
    public const int MaxEditions = 10;

    /// <summary>The years a brand day can be planned in (as for flash sales: 2000–2999).</summary>
    public static bool IsPlannableYear(int year) => year is >= 2000 and <= 2999;

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
