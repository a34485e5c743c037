using Mall.Domain.Common;
using Mall.Domain.Membership;
using Mall.Domain.Reactivation;
using Mall.Domain.Segmentation;

namespace Mall.Domain.Customers;

/// <summary>
/// A mini-program user. The first customer of an openid is keyed by an id derived from it; once that customer
/// erased their account the openid maps to a new, random id (the mall's openid → customer mapping decides).
/// </summary>
public sealed record Customer
{
    /// <summary>
    /// Bumped when the stored entity gains indexed columns (1: Segment, BirthdayMonthDay). The daily
    /// segmentation rewrites customers stored under an older version, so the timers that filter on
    /// those columns find everyone without a separate migration.
    /// </summary>
    public const int CurrentIndexVersion = 1;

    /// <summary>
    /// How many points changes may wait here for the ledger at once. Each change is settled into the
    /// ledger right after it is written, so only changes in flight (or cut short by a crash, settled
    /// by the next change) wait; past this the customer's points are busy until they are settled.
    /// </summary>
    public const int PendingPointsMax = 100;

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
    /// Points changes ("O1|redeemed#1", "O1|earned") written to the balance and not yet settled into
    /// the points ledger. A change is recognised for its whole life: here until settled, and in the
    /// ledger from before it leaves here (the caller passes the settled keys it must know about).
    /// </summary>
    public IReadOnlyList<PointsEntry> PendingPoints { get; init; } = [];

    /// <summary>The order holding this customer's new-user price: one order at a time, and once paid, for good (a refund does not renew it).</summary>
    public string? SegmentOfferOrderId { get; init; }

    /// <summary>The wake-up campaign's last contact (at most one per interval).</summary>
    public WakeUpMark? LastWakeUp { get; init; }

    /// <summary>When the customer erased their account (PIPL right to deletion): the record stays, without personal data, for the orders and ledgers that name it.</summary>
    public DateTimeOffset? ErasedAt { get; init; }

    public bool IsErased => ErasedAt is not null;

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
        // An erased account is profiled no more: its segment was erased with it.
        if (IsErased)
        {
            return (this, []);
        }

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
    /// <param name="settled">The key, if it is settled (see <see cref="PendingPoints"/>).</param>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) ApplyPoints(string key, string orderId, long points, DateTimeOffset now, IReadOnlySet<string>? settled = null) =>
        Knows(key, settled) ? (this, []) : Change(key, orderId, points, now);

    /// <summary>
    /// Points pay part of an order: taken once per placement of the order (a repeat is a no-op), never
    /// more than the balance. After the points came back (the order was withdrawn), the same order id
    /// placed again takes them again.
    /// </summary>
    /// <param name="settled">Settled keys among <see cref="RedemptionKeysOf(string)"/> (see <see cref="PendingPoints"/>).</param>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) RedeemPoints(string orderId, long points, DateTimeOffset now, IReadOnlySet<string>? settled = null)
    {
        var (state, round) = RedemptionStateOf(orderId, settled);
        if (state == Redeemed)
        {
            return (this, []);
        }

        EnsurePointsAvailable(points);
        return Change($"{orderId}|{Redeemed}#{round + 1}", orderId, -points, now);
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
    /// <param name="settled">Settled keys among <see cref="RedemptionKeysOf(string)"/> (see <see cref="PendingPoints"/>).</param>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) ReturnPoints(string orderId, long points, DateTimeOffset now, IReadOnlySet<string>? settled = null)
    {
        var (state, round) = RedemptionStateOf(orderId, settled);
        return state == Redeemed ? Change($"{orderId}|{Returned}#{round}", orderId, points, now) : (this, []);
    }

    /// <summary>A refund gives back the points that paid for its units: once per refund.</summary>
    /// <param name="settled"><see cref="RefundPointsKey(string)"/>, if it is settled (see <see cref="PendingPoints"/>).</param>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) ReturnRefundedPoints(string refundId, string orderId, long points, DateTimeOffset now, IReadOnlySet<string>? settled = null)
    {
        var key = RefundPointsKey(refundId);
        return points <= 0 || Knows(key, settled) ? (this, []) : Change(key, orderId, points, now);
    }

    /// <summary>The key under which a refund gives points back.</summary>
    public static string RefundPointsKey(string refundId) => $"{refundId}|{Returned}";

    /// <summary>The change is written to the balance and waits to be settled into the ledger.</summary>
    public bool IsPointsChangePending(string key) => PendingPoints.Any(p => p.Key == key);

    /// <summary>
    /// An order's redemption steps in the order they happen (redeemed#1, returned#1, redeemed#2, …):
    /// a step exists only if the one before it does, so a reader stops at the first one missing.
    /// </summary>
    public static IEnumerable<string> RedemptionKeysOf(string orderId)
    {
        for (var round = 1; ; round++)
        {
            yield return $"{orderId}|{Redeemed}#{round}";
            yield return $"{orderId}|{Returned}#{round}";
        }
    }

    /// <summary>The ledger now holds these changes: they leave <see cref="PendingPoints"/>.</summary>
    public Customer SettlePoints(IReadOnlyCollection<string> keys) =>
        PendingPoints.Any(p => keys.Contains(p.Key)) ? this with { PendingPoints = [.. PendingPoints.Where(p => !keys.Contains(p.Key))] } : this;

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

    /// <summary>
    /// The customer erased their account: nickname, birthday, phone, session key, WeChat identities and segment go;
    /// what orders, points and commissions refer to (id, referrers, activity, tier, balances) stays, so the ledgers
    /// still reconcile. Once: an erased customer comes back as it is, without a second event.
    /// </summary>
    public (Customer Customer, IReadOnlyList<IntegrationEvent> Events) Erase(DateTimeOffset now) =>
        IsErased
            ? (this, [])
            : (this with
            {
                Nickname = null,
                Birthday = null,
                ProtectedPhone = null,
                ProtectedSessionKey = null,
                OpenId = string.Empty,
                UnionId = null,
                Segment = null,
                LastWakeUp = null,
                ErasedAt = now,
            }, [new CustomerErased(Id) { OccurredAt = now }]);

    private bool Knows(string key, IReadOnlySet<string>? settled) => settled?.Contains(key) == true || IsPointsChangePending(key);

    private (Customer Customer, IReadOnlyList<IntegrationEvent> Events) Change(string key, string orderId, long points, DateTimeOffset now)
    {
        if (PendingPoints.Count >= PendingPointsMax)
        {
            throw new DomainException(ErrorCode.Busy, $"Customer {Id} has {PendingPoints.Count} points changes waiting for the ledger; try again shortly.");
        }

        var entry = new PointsEntry(Id, key, orderId, points, now);
        return (this with { PointsBalance = PointsBalance + points, PendingPoints = [.. PendingPoints, entry] }, [PointsEvent(key, points, orderId, now)]);
    }

    /// <summary>The order's latest redemption step ("redeemed" or "returned", null if none) and how many redemptions it had.</summary>
    private (string? State, int Round) RedemptionStateOf(string orderId, IReadOnlySet<string>? settled)
    {
        var steps = RedemptionKeysOf(orderId).TakeWhile(key => Knows(key, settled)).Count();
        return steps == 0 ? (null, 0) : (steps % 2 == 1 ? Redeemed : Returned, (steps + 1) / 2);
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

    /// <summary>The id of an openid's first customer (every customer registered before ids could change had it).</summary>
    public static string IdFor(string openId) => Ids.Derive("C", "openid", openId);

    /// <summary>The id of a customer whose openid's earlier customer was erased.</summary>
    public static string NewId() => Ids.New("C");

    /// <summary>Where the openid → customer mapping of <paramref name="openId"/> is kept: a hash, so the key names nobody.</summary>
    public static string OpenIdKeyFor(string openId) => Ids.Derive("W", "openid-key", openId);

    public static (Customer Customer, CustomerRegistered Registered) Register(
        string id,
        string openId,
        string? unionId,
        string inviteCode,
        Customer? inviter,
        string? protectedSessionKey,
        DateTimeOffset now)
    {
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
