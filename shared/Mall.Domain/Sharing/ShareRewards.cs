using Mall.Domain.Common;

namespace Mall.Domain.Sharing;

/// <summary>
/// What a share-reward program counts towards its tiers. Only new paying customers are verified outcomes;
/// the others describe rewards for the act of sharing, which WeChat's rules forbid (the compliance check
/// refuses them), so they can be expressed but never saved.
/// </summary>
public enum ShareCounting
{
    NewPayingCustomers,
    Shares,
    ShareVisits,
}

/// <summary>A tier 阶梯: reaching <see cref="Invitees"/> credited new paying customers earns the reward once.</summary>
/// <param name="ValueFen">What the reward may cost the mall at most; reserved against the day's budget when it is granted.</param>
public sealed record ShareRewardTier(int Invitees, string CouponTemplateId, long ValueFen);

/// <summary>An operator's tiered share-reward program 阶梯奖励 (default tiers 1 / 3 / 10), running in a window.</summary>
public sealed record ShareRewardProgram(
    string Id,
    string Name,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    ShareCounting Counts,
    IReadOnlyList<ShareRewardTier> Tiers,
    DateTimeOffset CreatedAt)
{
    public const int MaxTiers = 5;

    public bool IsRunning(DateTimeOffset instant) => instant >= StartsAt && instant < EndsAt;

    /// <summary>The tiers <paramref name="invitees"/> credited customers have reached, lowest first.</summary>
    public IEnumerable<ShareRewardTier> Reached(long invitees) => Tiers.Where(t => t.Invitees <= invitees).OrderBy(t => t.Invitees);
}

/// <summary>
/// The share-reward programs that can still matter, in one document: every program not yet ended and the most
/// recently ended ones, at most <see cref="MaxKept"/>. Saving a program is one guarded write of it, so racing
/// saves cannot both pass the no-overlap check, and finding the running program reads one entity however many
/// programs ran before.
/// </summary>
public sealed record ShareProgramCalendar(IReadOnlyList<ShareRewardProgram> Programs)
{
    public const int MaxKept = 50;

    public static readonly ShareProgramCalendar Empty = new([]);

    public ShareRewardProgram? Overlapping(ShareRewardProgram program) =>
        Programs.FirstOrDefault(p => p.Id != program.Id && p.StartsAt < program.EndsAt && program.StartsAt < p.EndsAt);

    /// <summary>The program counting new paying customers at <paramref name="instant"/>, if any.</summary>
    public ShareRewardProgram? RunningAt(DateTimeOffset instant) =>
        Programs.FirstOrDefault(p => p.IsRunning(instant) && p.Counts == ShareCounting.NewPayingCustomers);

    /// <summary>
    /// The calendar with <paramref name="program"/> (which must not overlap another), the longest-ended programs
    /// dropped to stay within <see cref="MaxKept"/>; null when that many are still to end.
    /// </summary>
    public ShareProgramCalendar? With(ShareRewardProgram program, DateTimeOffset now)
    {
        if (Programs.Any(p => p.Id == program.Id))
        {
            return this;
        }

        var kept = Programs.Append(program).OrderByDescending(p => p.EndsAt).ToList();
        while (kept.Count > MaxKept && kept[^1].EndsAt <= now)
        {
            kept.RemoveAt(kept.Count - 1);
        }

        return kept.Count > MaxKept ? null : new ShareProgramCalendar(kept);
    }
}

public enum ShareCreditState
{
    /// <summary>The first order is paid; the credit waits for its after-sale window to close unrefunded.</summary>
    Pending,

    /// <summary>Counted towards the sharer's tiers.</summary>
    Confirmed,

    /// <summary>The first order was refunded in full: never counted.</summary>
    Void,
}

/// <summary>
/// A new customer's first paid order, credited to whoever brought them (their referrer, bound once at first
/// login through a share link or an invite code). One per invitee for good: the first paid order decides,
/// and a later order never makes a refunded first one count.
/// </summary>
/// <param name="ProgramId">The program running when the order was paid; null: none was, and it never counts.</param>
public sealed record ShareCredit(string InviteeId, string SharerId, string? ProgramId, string OrderId, DateTimeOffset PaidAt)
{
    public ShareCreditState State { get; init; } = ShareCreditState.Pending;

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Decides a pending credit once its order's after-sale window closed with <paramref name="keptFen"/> paid and not refunded.</summary>
    public ShareCredit Decide(long keptFen, DateTimeOffset now) =>
        State != ShareCreditState.Pending ? this
        : this with { State = keptFen > 0 && ProgramId is not null ? ShareCreditState.Confirmed : ShareCreditState.Void, DecidedAt = now };

    /// <summary>A full refund voids a pending credit; a decided one stays as it is.</summary>
    public ShareCredit RefundedInFull(DateTimeOffset now) =>
        State == ShareCreditState.Pending ? this with { State = ShareCreditState.Void, DecidedAt = now } : this;
}

/// <summary>A sharer's new paying customer counted towards a program's tiers.</summary>
public sealed record ShareCredited(string SharerId, string InviteeId, string ProgramId, string OrderId) : IntegrationEvent
{
    public override string Id => $"share:{ProgramId}:{InviteeId}:credited";

    public override string SubjectId => SharerId;
}

/// <summary>A sharer reached a tier and got its reward (a coupon).</summary>
public sealed record ShareRewardGranted(string SharerId, string ProgramId, int Invitees, string CouponTemplateId, string CouponId) : IntegrationEvent
{
    public override string Id => $"share:{ProgramId}:{SharerId}:tier:{Invitees}";

    public override string SubjectId => SharerId;
}

/// <summary>An operator marked a share domain; <paramref name="ActiveHost"/> is where new links now point (null: none healthy).</summary>
public sealed record ShareDomainMarked(string Host, ShareDomainStatus Status, string? ActiveHost, DateTimeOffset MarkedAt) : IntegrationEvent
{
    public override string Id => $"share-domain:{Host}:{Status}:{MarkedAt.ToUnixTimeMilliseconds()}";

    public override string SubjectId => Host;
}
