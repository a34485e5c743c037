using Mall.Domain.Common;
using Mall.Domain.GroupBuy;

namespace Mall.UnitTests.GroupBuy;

public sealed class GroupSeatRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    private static readonly GroupBuyCampaign Campaign = new()
    {
        Id = "GB1",
        ProductId = "P1",
        SkuId = "P1-1",
        GroupPriceFen = 3000,
        GroupSize = 3,
        TimeLimit = TimeSpan.FromHours(24),
        MaxGroups = 10,
        StartsAt = Now.AddDays(-1),
        EndsAt = Now.AddDays(1),
    };

    private static GroupBuyGroup Opened() => GroupBuyGroup.Open("G1", Campaign, "leader", "O-leader", Now);

    private static DomainException Refused(Action action) => Assert.Throws<DomainException>(action);

    [Fact]
    public void Opening_gives_the_leader_the_first_seat_and_a_deadline_one_time_limit_away()
    {
        var group = Opened();

        Assert.Equal(GroupStatus.Forming, group.Status);
        Assert.Equal(Now.AddHours(24), group.Deadline);
        Assert.Equal(1, group.HoldingSeats);
    }

    [Fact]
    public void A_campaign_that_has_not_started_or_has_ended_opens_no_group()
    {
        Assert.Equal(ErrorCode.CampaignNotActive, Refused(() => GroupBuyGroup.Open("G", Campaign, "c", "o", Campaign.EndsAt)).Code);
        Assert.Equal(ErrorCode.CampaignNotActive, Refused(() => GroupBuyGroup.Open("G", Campaign, "c", "o", Campaign.StartsAt.AddTicks(-1))).Code);
    }

    [Fact]
    public void Unpaid_seats_count_so_the_group_is_never_oversized()
    {
        var group = Opened().Reserve("a", "O-a", Now).Reserve("b", "O-b", Now);

        Assert.Equal(ErrorCode.GroupFull, Refused(() => group.Reserve("c", "O-c", Now)).Code);
    }

    [Fact]
    public void A_released_seat_can_be_taken_again()
    {
        var group = Opened().Reserve("a", "O-a", Now).Reserve("b", "O-b", Now).Release("O-b");

        Assert.Equal(3, group.Reserve("c", "O-c", Now).HoldingSeats);
    }

    [Fact]
    public void A_customer_holds_one_seat_and_reserving_the_same_order_again_is_a_no_op()
    {
        var group = Opened().Reserve("a", "O-a", Now);

        Assert.Same(group, group.Reserve("a", "O-a", Now));
        Assert.Equal(ErrorCode.AlreadyInGroup, Refused(() => group.Reserve("a", "O-a2", Now)).Code);
        Assert.Equal(ErrorCode.AlreadyInGroup, Refused(() => group.Reserve("leader", "O-x", Now)).Code);
    }

    [Fact]
    public void Nobody_joins_at_or_after_the_deadline()
    {
        Assert.Equal(ErrorCode.GroupClosed, Refused(() => Opened().Reserve("a", "O-a", Now.AddHours(24))).Code);
        Assert.Equal(2, Opened().Reserve("a", "O-a", Now.AddHours(24).AddTicks(-1)).HoldingSeats);
    }

    [Fact]
    public void The_last_payment_fills_the_group_and_a_repeated_payment_counts_once()
    {
        var group = Opened().Reserve("a", "O-a", Now).Reserve("b", "O-b", Now);
        group = group.RecordPayment("O-leader", Now).Group;
        group = group.RecordPayment("O-a", Now).Group;

        var (duplicate, verdict) = group.RecordPayment("O-a", Now);
        Assert.Equal(PaymentVerdict.Duplicate, verdict);
        Assert.Same(group, duplicate);

        var (full, last) = group.RecordPayment("O-b", Now.AddMinutes(1));
        Assert.Equal(PaymentVerdict.Counted, last);
        Assert.Equal(GroupStatus.Succeeded, full.Status);
        Assert.Empty(full.OrdersToRefund);
    }

    [Fact]
    public void A_payment_at_the_deadline_is_refunded_and_its_seat_does_not_count()
    {
        var group = Opened().Reserve("a", "O-a", Now);

        var (after, verdict) = group.RecordPayment("O-a", group.Deadline);

        Assert.Equal(PaymentVerdict.Refund, verdict);
        Assert.Equal(SeatStatus.Refunded, after.Seats.Single(s => s.OrderId == "O-a").Status);
        Assert.Equal(0, after.PaidSeats);
    }

    [Fact]
    public void A_payment_for_a_seat_the_group_no_longer_has_is_refunded()
    {
        Assert.Equal(PaymentVerdict.Refund, Opened().RecordPayment("O-unknown", Now).Verdict);
        Assert.Equal(PaymentVerdict.Refund, Opened().Reserve("a", "O-a", Now).Release("O-a").RecordPayment("O-a", Now).Verdict);
    }

    [Fact]
    public void At_the_deadline_a_forming_group_fails_and_only_its_paid_members_are_refunded_once()
    {
        var group = Opened().Reserve("a", "O-a", Now).RecordPayment("O-leader", Now).Group;

        Assert.Equal(ErrorCode.InvalidOrderState, Refused(() => group.FailAtDeadline(group.Deadline.AddTicks(-1))).Code);
        var failed = group.FailAtDeadline(group.Deadline);

        Assert.Equal(GroupStatus.Failed, failed.Status);
        Assert.Equal(["O-leader"], failed.OrdersToRefund);
        var refunded = failed.MarkRefunded("O-leader");
        Assert.Empty(refunded.OrdersToRefund);
        Assert.Same(refunded, refunded.MarkRefunded("O-leader"));
    }

    [Fact]
    public void A_group_that_filled_does_not_fail_when_the_deadline_fires_afterwards()
    {
        var group = GroupBuyGroup.Open("G2", Campaign with { GroupSize = 2 }, "leader", "O-leader", Now).Reserve("a", "O-a", Now);
        group = group.RecordPayment("O-leader", Now).Group.RecordPayment("O-a", Now).Group;

        var late = group.FailAtDeadline(group.Deadline.AddMinutes(1));

        Assert.Equal(GroupStatus.Succeeded, late.Status);
        Assert.Empty(late.OrdersToRefund);
    }
}
