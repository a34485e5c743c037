using Mall.Domain.Common;
using Mall.Domain.Membership;
using Mall.Domain.Reactivation;
using Mall.Domain.Segmentation;

namespace Mall.Domain.Customers;

/// <summary>A mini-program user, keyed by a stable id derived from their openid.</summary>
public sealed record Customer
{
    /// <summary>
    /// Bumped when the stored entity gains indexed columns (1: Segment, BirthdayMonthDay). The daily
    /// segmentation rewrites customers stored under an older version, so the timers that filter on
    /// those columns find everyone without a separate migration.
    /// </summary>
    public const int CurrentIndexVersion = 1;

    /// <summary>How many points changes <see cref="PointsKeys"/> remembers: the window in which a repeat is recognised.</summary>
    public const int PointsKeysRemembered = 100;

    private const string Redeemed = "redeemed";
    private const string Returned = "returned";

    public int IndexVersion { get; init; }

    public required string Id { get; init; }

    public required string OpenId { get; init; }

    public string? UnionId { get; init; }

    /// <summary>The code this customer shares to invite others.</summary>
    public required string InviteCode { get; init; }

    /// <summary>Who invited this customer, nearest first, at most <see cref="ReferralRules.MaxDepth"/> levels.</summary>
    public IReadOnlyList<string> Referrers { get; init; } = [];

    public required DateTimeOffset RegisteredAt { get; init; }

    public required DateTimeOffset LastLoginAt { get; init; }

    /// <summary>WeChat session_key, encrypted; never returned by the API and never logged.</summary>
    public string? ProtectedSessionKey { get; init; }

    public string? Nickname { get; init; }

    public DateOnly? Birthday { get; init; }

    public string? ProtectedPhone { get; init; }

    public CustomerActivity Activity { get; init; } = new();

    public SegmentAssignment? Segment { get; init; }

    public MemberStatus Member { get; init; } = MemberStatus.None;

    /// <summary>Below zero when refunds took back points already spent: owed, and settled by the next points credited.</summary>
    public long PointsBalance { get; init; }

    /// <summary>
    /// The latest points changes ("O1|redeemed#1", "O1|earned"), so a repeated request or delivery
    /// changes nothing; the latest redemption step of an order says whether its points are out.
    /// </summary>
    public IReadOnlyList<string> PointsKeys { get; init; } = [];

    /// <summary>The order holding this customer's new-user price: one order at a time, and once paid, for good (a refund does not renew it).</summary>
    public string? SegmentOfferOrderId { get; init; }

    /// <summary>The wake-up campaign's last contact (at most one per interval).</summary>
    public WakeUpMark? LastWakeUp { get; init; }

    public string? ReferrerId => Referrers.Count > 0 ? Referrers[0] : null;

    /// <summary>Points that can be spent now.</summary>
    public long PointsAvailable => Math.Max(0, PointsBalance);

    /// <summary>Points refunds took back after they were spent.</summary>
    public long PointsOwed => Math.Max(0, -PointsBalance);

    /// <summary>The segment for pricing: a customer the daily run has not classified yet and who never paid is Potential.</summary>
    public CustomerSegment? CurrentSegment => Segment?.Segment ?? (Activity.PaidOrders == 0 ? CustomerSegment.Potential : null);

    /// <summary>The latest sign of life: registration, login or payment.</summary>
    public DateTimeOffset LastInteractionAt => new[] { RegisteredAt, LastLoginAt, Activity.LastPaidAt ?? DateTimeOffset.MinValue }.Max();

    /// <summary>
    /// The daily review: the segment the rules give today (CustomerSegmentChanged when it moves) and,
    /// at the tier's anniversary, the tier (MemberTierChanged; a kept tier renews silently). Same
    /// instance if nothing changed.
    /// </summary>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) Review(SegmentRules segments, TierRules tiers, DateTimeOffset now)
    {
        var events = new List<IntegrationEvent>();
        var reviewed = WithSegment(segments, now, events);
        var member = Member.AtReview(tiers.Evaluate(Activity, now), now);
        if (member.Tier != Member.Tier)
        {
            events.Add(TierEvent(member, now));
        }

        // A tier kept at its anniversary starts a new year: written, but nothing to announce.
        return member == Member && events.Count == 0 ? (this, events) : (reviewed with { Member = member }, events);
    }

    /// <summary>
    /// A paid order: counted once for activity, and it upgrades the tier at once if it now qualifies
    /// (its points come from its <see cref="OrderPoints"/>). A repeated delivery changes nothing.
    /// </summary>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) RecordPayment(string orderId, long paidFen, DateTimeOffset paidAt, SegmentRules segments, TierRules tiers, DateTimeOffset now)
    {
        var activity = Activity.OrderPaid(orderId, paidFen, paidAt);
        if (ReferenceEquals(activity, Activity))
        {
            return (this, []);
        }

        var member = Member.AfterPayment(tiers.Evaluate(activity, now), now);
        var events = new List<IntegrationEvent>();
        if (member != Member)
        {
            events.Add(TierEvent(member, now));
        }

        // A first order makes a FirstOrder customer right away (its action, e.g. a threshold coupon, follows).
        var paid = (this with { Activity = activity, Member = member }).WithSegment(segments, now, events);
        return (paid, events);
    }

    /// <summary>Money went back: net spend shrinks (the tier waits for its review). A repeat changes nothing.</summary>
    public Customer RecordRefund(string refundId, long refundedFen, DateTimeOffset orderPaidAt)
    {
        var activity = Activity.Refunded(refundId, refundedFen, orderPaidAt);
        return ReferenceEquals(activity, Activity) ? this : this with { Activity = activity };
    }

    /// <summary>The order was refunded in full: it no longer counts as a paid order (the segment follows at the daily review).</summary>
    public Customer RecordFullRefund(string orderId, DateTimeOffset orderPaidAt)
    {
        var activity = Activity.RefundedInFull(orderId, orderPaidAt);
        return ReferenceEquals(activity, Activity) ? this : this with { Activity = activity };
    }

    /// <summary>
    /// An order's points were earned or reversed: the balance follows, below zero if the reversed points
    /// were already spent. Once per key.
    /// </summary>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) ApplyPoints(string key, string orderId, long points, DateTimeOffset now) =>
        PointsKeys.Contains(key)
            ? (this, [])
            : (this with { PointsBalance = PointsBalance + points, PointsKeys = RememberPointsKey(key) }, [PointsEvent(key, points, orderId, now)]);

    /// <summary>
    /// Points pay part of an order: taken once per placement of the order (a repeat is a no-op), never
    /// more than the balance. After the points came back (the order was withdrawn), the same order id
    /// placed again takes them again.
    /// </summary>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) RedeemPoints(string orderId, long points, DateTimeOffset now)
    {
        var (state, round) = PointsStateOf(orderId);
        if (state == Redeemed)
        {
            return (this, []);
        }

        EnsurePointsAvailable(points);
        var key = $"{orderId}|{Redeemed}#{round + 1}";
        return (this with { PointsBalance = PointsBalance - points, PointsKeys = RememberPointsKey(key) }, [PointsEvent(key, -points, orderId, now)]);
    }

    /// <summary>Refuses to spend more points than the balance holds.</summary>
    public void EnsurePointsAvailable(long points)
    {
        if (points > PointsBalance)
        {
            throw new DomainException(ErrorCode.InsufficientPoints, $"Only {PointsAvailable} points available; {points} requested.");
        }
    }

    /// <summary>The order that spent points was never paid or was refunded in full: they come back, once per redemption.</summary>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) ReturnPoints(string orderId, long points, DateTimeOffset now)
    {
        var (state, round) = PointsStateOf(orderId);
        if (state != Redeemed)
        {
            return (this, []);
        }

        var key = $"{orderId}|{Returned}#{round}";
        return (this with { PointsBalance = PointsBalance + points, PointsKeys = RememberPointsKey(key) }, [PointsEvent(key, points, orderId, now)]);
    }

    /// <summary>A refund gives back the points that paid for its units: once per refund.</summary>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) ReturnRefundedPoints(string refundId, string orderId, long points, DateTimeOffset now)
    {
        var key = $"{refundId}|returned";
        if (points <= 0 || PointsKeys.Contains(key))
        {
            return (this, []);
        }

        return (this with { PointsBalance = PointsBalance + points, PointsKeys = RememberPointsKey(key) }, [PointsEvent(key, points, orderId, now)]);
    }

    /// <summary>An order takes the segment offer; refused while another order holds it.</summary>
    public Customer ClaimSegmentOffer(string orderId)
    {
        if (SegmentOfferOrderId == orderId)
        {
            return this;
        }

        return SegmentOfferOrderId is null
            ? this with { SegmentOfferOrderId = orderId }
            : throw new DomainException(ErrorCode.OfferInUse, $"The new-customer price is for one order; order {SegmentOfferOrderId} has it.");
    }

    /// <summary>The order holding the offer was withdrawn or lapsed unpaid: the offer is free again.</summary>
    public Customer ReleaseSegmentOffer(string orderId) => SegmentOfferOrderId == orderId ? this with { SegmentOfferOrderId = null } : this;

    /// <summary>The wake-up campaign reaches this customer today: marked once, so a resumed run finishes rather than repeats.</summary>
    public (Customer Customer, WakeUpStep Step) WakeUp(WakeUpRules rules, DateOnly day, DateTimeOffset now)
    {
        var step = rules.Decide(LastWakeUp, Segment?.Segment == CustomerSegment.Dormant, day, now);
        return step == WakeUpStep.Start ? (this with { LastWakeUp = new WakeUpMark(day, now) }, step) : (this, step);
    }

    private List<string> RememberPointsKey(string key) => [.. PointsKeys.TakeLast(PointsKeysRemembered - 1), key];

    /// <summary>The order's latest redemption step ("redeemed" or "returned", null if none) and how many redemptions it had.</summary>
    private (string? State, int Round) PointsStateOf(string orderId)
    {
        var prefix = orderId + "|";
        var steps = PointsKeys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[prefix.Length..].Split('#'))
            .Where(step => step[0] is Redeemed or Returned).ToList();
        if (steps.Count == 0)
        {
            return (null, 0);
        }

        var latest = steps[^1];
        return (latest[0], latest.Length > 1 ? int.Parse(latest[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
    }

    private Customer WithSegment(SegmentRules segments, DateTimeOffset now, List<IntegrationEvent> events)
    {
        var segment = segments.Classify(Activity, LastInteractionAt, now);
        if (Segment?.Segment == segment)
        {
            return this;
        }

        events.Add(new CustomerSegmentChanged(Id, Segment?.Segment, segment, ChinaTime.DayKey(ChinaTime.DateOf(now))) { OccurredAt = now });
        return this with { Segment = new SegmentAssignment(segment, now) };
    }

    private MemberTierChanged TierEvent(MemberStatus member, DateTimeOffset now) =>
        new(Id, Member.Tier, member.Tier, ChinaTime.DayKey(ChinaTime.DateOf(now))) { OccurredAt = now };

    private PointsChanged PointsEvent(string key, long points, string orderId, DateTimeOffset now) =>
        new(Id, key, orderId, points) { OccurredAt = now };

    public static string IdFor(string openId) => Ids.Derive("C", "openid", openId);

    public static (Customer Customer, CustomerRegistered Registered) Register(
        string openId,
        string? unionId,
        string inviteCode,
        Customer? inviter,
        string? protectedSessionKey,
        DateTimeOffset now)
    {
        var id = IdFor(openId);
        var customer = new Customer
        {
            Id = id,
            OpenId = openId,
            UnionId = unionId,
            InviteCode = inviteCode,
            Referrers = inviter is null ? [] : ReferralRules.ReferrersFor(id, inviter),
            RegisteredAt = now,
            LastLoginAt = now,
            ProtectedSessionKey = protectedSessionKey,
            IndexVersion = CurrentIndexVersion,
        };
        var registered = new CustomerRegistered(id, customer.ReferrerId) { OccurredAt = now };
        return (customer, registered);
    }

    public Customer LoggedIn(string? unionId, string? protectedSessionKey, DateTimeOffset now) =>
        this with { UnionId = unionId ?? UnionId, ProtectedSessionKey = protectedSessionKey ?? ProtectedSessionKey, LastLoginAt = now };
}
