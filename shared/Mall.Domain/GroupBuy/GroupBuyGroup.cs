using Mall.Domain.Common;

namespace Mall.Domain.GroupBuy;

/// <summary>A group buy campaign 拼团: one SKU at a group price, for groups of a fixed size formed within a time limit.</summary>
public sealed record GroupBuyCampaign
{
    public required string Id { get; init; }

    public required string ProductId { get; init; }

    public required string SkuId { get; init; }

    public required long GroupPriceFen { get; init; }

    public required int GroupSize { get; init; }

    /// <summary>How long a group has, from its opening, to fill.</summary>
    public required TimeSpan TimeLimit { get; init; }

    /// <summary>How many groups may be opened in total.</summary>
    public required int MaxGroups { get; init; }

    public required DateTimeOffset StartsAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }

    public bool IsRunningAt(DateTimeOffset now) => now >= StartsAt && now < EndsAt;
}

public enum GroupStatus
{
    Forming,
    Succeeded,
    Failed,
}

public enum SeatStatus
{
    /// <summary>Taken by an unpaid order.</summary>
    Reserved,
    Paid,

    /// <summary>Paid, then refunded because the group failed (or the payment came too late).</summary>
    Refunded,
}

public sealed record GroupSeat(string CustomerId, string OrderId, SeatStatus Status, DateTimeOffset JoinedAt)
{
    public bool Holds => Status is SeatStatus.Reserved or SeatStatus.Paid;
}

/// <summary>What to do with a member's payment.</summary>
public enum PaymentVerdict
{
    /// <summary>Counted (the group may now be full).</summary>
    Counted,

    /// <summary>Already counted: a repeated delivery.</summary>
    Duplicate,

    /// <summary>The group closed (failed, filled without this seat, or past its deadline): give the money back.</summary>
    Refund,
}

/// <summary>
/// One group: never more holding seats than its size, one seat per customer, nothing after its
/// deadline. Unpaid seats hold a place until their order ends, so the last seat cannot be sold twice;
/// then the seat is gone, so however often members join and leave, the group holds at most its size
/// in seats (a seat refunded for a late payment or a failed group no longer changes).
/// </summary>
public sealed record GroupBuyGroup
{
    public required string Id { get; init; }

    public required string CampaignId { get; init; }

    public required string LeaderId { get; init; }

    public required int Size { get; init; }

    public required GroupStatus Status { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    public required DateTimeOffset Deadline { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public IReadOnlyList<GroupSeat> Seats { get; init; } = [];

    /// <summary>Seats taken so far, the leader's included: numbers each new member order, also after seats were given back.</summary>
    public int SeatsTaken { get; init; }

    public int HoldingSeats => Seats.Count(s => s.Holds);

    public int PaidSeats => Seats.Count(s => s.Status == SeatStatus.Paid);

    public static GroupBuyGroup Open(string id, GroupBuyCampaign campaign, string leaderId, string leaderOrderId, DateTimeOffset now)
    {
        if (!campaign.IsRunningAt(now))
        {
            throw new DomainException(ErrorCode.CampaignNotActive, $"Group buy {campaign.Id} is not running now.");
        }

        return new GroupBuyGroup
        {
            Id = id,
            CampaignId = campaign.Id,
            LeaderId = leaderId,
            Size = campaign.GroupSize,
            Status = GroupStatus.Forming,
            OpenedAt = now,
            Deadline = now + campaign.TimeLimit,
            Seats = [new GroupSeat(leaderId, leaderOrderId, SeatStatus.Reserved, now)],
            SeatsTaken = 1,
        };
    }

    /// <summary>Takes a seat for <paramref name="customerId"/>'s order; the same order again is a no-op.</summary>
    public GroupBuyGroup Reserve(string customerId, string orderId, DateTimeOffset now)
    {
        if (Seats.Any(s => s.OrderId == orderId && s.Holds))
        {
            return this;
        }

        if (Status != GroupStatus.Forming || now >= Deadline)
        {
            throw new DomainException(ErrorCode.GroupClosed, $"Group {Id} is no longer open.");
        }

        if (Seats.Any(s => s.CustomerId == customerId && s.Holds))
        {
            throw new DomainException(ErrorCode.AlreadyInGroup, $"You are already in group {Id}.");
        }

        if (HoldingSeats >= Size)
        {
            throw new DomainException(ErrorCode.GroupFull, $"Group {Id} is full.");
        }

        return this with { Seats = [.. Seats, new GroupSeat(customerId, orderId, SeatStatus.Reserved, now)], SeatsTaken = SeatsTaken + 1 };
    }

    /// <summary>The seat's order ended unpaid: the seat is given back (no-op if it is not reserved).</summary>
    public GroupBuyGroup Release(string orderId) =>
        Seats.Any(s => s.OrderId == orderId && s.Status == SeatStatus.Reserved)
            ? this with { Seats = Seats.Where(s => s.OrderId != orderId).ToList() }
            : this;

    /// <summary>A member's order was paid. Fills the group when it was the last seat.</summary>
    public (GroupBuyGroup Group, PaymentVerdict Verdict) RecordPayment(string orderId, DateTimeOffset paidAt)
    {
        var seat = Seats.LastOrDefault(s => s.OrderId == orderId);
        if (seat?.Status == SeatStatus.Paid)
        {
            return (this, PaymentVerdict.Duplicate);
        }

        if (seat is null || seat.Status != SeatStatus.Reserved || Status != GroupStatus.Forming || paidAt >= Deadline)
        {
            // A seat paid too late never counts; it is refunded directly, not with the group.
            return (seat?.Status == SeatStatus.Reserved ? WithSeat(orderId, s => s with { Status = SeatStatus.Refunded }) : this, PaymentVerdict.Refund);
        }

        var paid = WithSeat(orderId, s => s with { Status = SeatStatus.Paid });
        return (paid.PaidSeats == Size ? paid with { Status = GroupStatus.Succeeded, ClosedAt = paidAt } : paid, PaymentVerdict.Counted);
    }

    /// <summary>The deadline passed without filling: the group fails (unless it filled first) and its paid seats are to be refunded.</summary>
    public GroupBuyGroup FailAtDeadline(DateTimeOffset now)
    {
        if (Status != GroupStatus.Forming)
        {
            return this;
        }

        if (now < Deadline)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Group {Id} is open until {Deadline:O}.");
        }

        return this with { Status = GroupStatus.Failed, ClosedAt = now };
    }

    /// <summary>Paid seats whose money must go back: all of them once the group failed.</summary>
    public IReadOnlyList<string> OrdersToRefund => Status == GroupStatus.Failed
        ? Seats.Where(s => s.Status == SeatStatus.Paid).Select(s => s.OrderId).ToList()
        : [];

    public GroupBuyGroup MarkRefunded(string orderId) =>
        WithSeat(orderId, s => s.Status == SeatStatus.Paid && Status == GroupStatus.Failed ? s with { Status = SeatStatus.Refunded } : s);

    private GroupBuyGroup WithSeat(string orderId, Func<GroupSeat, GroupSeat> change)
    {
        var seats = Seats.Select(s => s.OrderId == orderId ? change(s) : s).ToList();
        return seats.SequenceEqual(Seats) ? this : this with { Seats = seats };
    }
}
