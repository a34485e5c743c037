using Mall.Domain.Common;
using Mall.Domain.Notifications;
using Mall.Domain.Presale;

namespace Mall.UnitTests.Presale;

public sealed class PresaleRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly PresaleCampaign Campaign = new()
    {
        Id = "PS1",
        ProductId = "P1",
        SkuId = "P1-1",
        DepositFen = 5000,
        DepositValueFen = 10000,
        FinalPriceFen = 39900,
        DepositStartsAt = T0,
        DepositEndsAt = T0.AddDays(10),
        BalanceStartsAt = T0.AddDays(11),
        BalanceEndsAt = T0.AddDays(12),
        DepositRefundable = false,
    };

    private static PresaleReservation Reserved() => PresaleReservation.Reserve("R1", Campaign, "C1", "R1D", T0.AddDays(1));

    private static PresaleReservation DepositPaid() => Reserved().DepositPaid(Campaign, T0.AddDays(1)).Reservation;

    [Fact]
    public void The_balance_is_the_final_price_minus_the_inflated_deposit_value()
    {
        Assert.Equal(29900, Campaign.BalanceFen);
    }

    [Fact]
    public void Deposits_are_taken_only_inside_the_deposit_window()
    {
        Assert.Equal(ErrorCode.OutsideWindow, Assert.Throws<DomainException>(() => PresaleReservation.Reserve("R", Campaign, "C", "D", Campaign.DepositEndsAt)).Code);
        Assert.Equal(PresaleStatus.DepositPending, PresaleReservation.Reserve("R", Campaign, "C", "D", Campaign.DepositStartsAt).Status);
    }

    [Fact]
    public void A_deposit_paid_after_the_deposit_window_does_not_count()
    {
        var (late, counted) = Reserved().DepositPaid(Campaign, Campaign.DepositEndsAt);

        Assert.False(counted);
        Assert.Equal(PresaleStatus.Lapsed, late.Status);
    }

    [Fact]
    public void The_balance_order_exists_once_while_it_is_open_and_again_only_after_it_lapsed()
    {
        var inWindow = Campaign.BalanceStartsAt.AddHours(1);
        var ordered = DepositPaid().OrderBalance(Campaign, inWindow);

        Assert.Same(ordered, ordered.OrderBalance(Campaign, inWindow));
        Assert.Equal("R1B1", ordered.BalanceOrderId);
        var again = ordered.BalanceLapsed("R1B1").OrderBalance(Campaign, inWindow);
        Assert.Equal("R1B2", again.BalanceOrderId);
    }

    [Fact]
    public void No_balance_outside_its_window_or_without_a_paid_deposit()
    {
        Assert.Equal(ErrorCode.OutsideWindow, Assert.Throws<DomainException>(() => DepositPaid().OrderBalance(Campaign, Campaign.BalanceStartsAt.AddTicks(-1))).Code);
        Assert.Equal(ErrorCode.OutsideWindow, Assert.Throws<DomainException>(() => DepositPaid().OrderBalance(Campaign, Campaign.BalanceEndsAt)).Code);
        Assert.Equal(ErrorCode.InvalidOrderState, Assert.Throws<DomainException>(() => Reserved().OrderBalance(Campaign, Campaign.BalanceStartsAt)).Code);
    }

    [Fact]
    public void Only_the_open_balance_order_can_complete_the_presale()
    {
        var ordered = DepositPaid().OrderBalance(Campaign, Campaign.BalanceStartsAt);

        Assert.Same(ordered, ordered.BalancePaid("R1B9"));
        Assert.Equal(PresaleStatus.BalancePaid, ordered.BalancePaid("R1B1").Status);
    }

    [Theory]
    [InlineData(false, PresaleStatus.Forfeited, WindowOutcome.ForfeitDeposit)]
    [InlineData(true, PresaleStatus.DepositRefunded, WindowOutcome.RefundDeposit)]
    public void An_unpaid_balance_at_the_window_end_forfeits_or_refunds_the_deposit_per_the_campaign(bool refundable, PresaleStatus status, WindowOutcome outcome)
    {
        var campaign = Campaign with { DepositRefundable = refundable };

        var (closed, result) = DepositPaid().OrderBalance(campaign, campaign.BalanceStartsAt).CloseWindow(campaign, campaign.BalanceEndsAt);

        Assert.Equal((status, outcome), (closed.Status, result));
        Assert.Equal((closed, outcome), closed.CloseWindow(campaign, campaign.BalanceEndsAt.AddHours(1)));
    }

    [Fact]
    public void Closing_before_the_window_ends_is_refused_and_a_paid_balance_closes_with_nothing_to_do()
    {
        Assert.Throws<DomainException>(() => DepositPaid().CloseWindow(Campaign, Campaign.BalanceEndsAt.AddTicks(-1)));
        var paid = DepositPaid().OrderBalance(Campaign, Campaign.BalanceStartsAt).BalancePaid("R1B1");
        Assert.Equal(WindowOutcome.None, paid.CloseWindow(Campaign, Campaign.BalanceEndsAt).Outcome);
    }

    [Fact]
    public void The_reminder_is_recorded_once()
    {
        var reminded = DepositPaid().RecordReminder(new MessageResult(MessageOutcome.Sent), T0);

        Assert.Same(reminded, reminded.RecordReminder(new MessageResult(MessageOutcome.Invalid, "47003"), T0.AddHours(1)));
        Assert.Equal((T0, MessageOutcome.Sent), (reminded.RemindedAt, reminded.Reminder!.Outcome));
    }

    [Fact]
    public void A_reminder_WeChat_did_not_send_stays_open_for_another_try_and_every_other_outcome_settles_it()
    {
        var notSent = DepositPaid().RecordReminder(new MessageResult(MessageOutcome.NotSent, "45011"), T0);
        var refused = notSent.RecordReminder(new MessageResult(MessageOutcome.RefusedByUser, "43101"), T0.AddMinutes(1));

        Assert.Equal((null, "45011"), (notSent.RemindedAt, notSent.Reminder!.Code));
        Assert.Equal((T0.AddMinutes(1), MessageOutcome.RefusedByUser, "43101"), (refused.RemindedAt, refused.Reminder!.Outcome, refused.Reminder.Code));
    }
}
