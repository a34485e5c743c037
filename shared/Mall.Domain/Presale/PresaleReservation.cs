using Mall.Domain.Notifications;
using Mall.Domain.Common;

namespace Mall.Domain.Presale;

/// <summary>
/// A presale with deposit inflation 定金膨胀: pay a deposit in the deposit window; it counts as
/// <see cref="DepositValueFen"/> (more than it cost) against <see cref="FinalPriceFen"/> when the balance
/// is paid in the balance window. A deposit whose balance is never paid is forfeited, or refunded
/// when the campaign says so.
/// </summary>
public sealed record PresaleCampaign
{
    public required string Id { get; init; }

    public required string ProductId { get; init; }

    public required string SkuId { get; init; }

    public required long DepositFen { get; init; }

    public required long DepositValueFen { get; init; }

    public required long FinalPriceFen { get; init; }

    public required DateTimeOffset DepositStartsAt { get; init; }

    public required DateTimeOffset DepositEndsAt { get; init; }

    public required DateTimeOffset BalanceStartsAt { get; init; }

    public required DateTimeOffset BalanceEndsAt { get; init; }

    public required bool DepositRefundable { get; init; }

    /// <summary>Subscribe-message template for the "balance is due" reminder (none: no reminder is sent).</summary>
    public string? ReminderTemplateId { get; init; }

    public long BalanceFen => FinalPriceFen - DepositValueFen;

    public bool InDepositWindow(DateTimeOffset now) => now >= DepositStartsAt && now < DepositEndsAt;

    public bool InBalanceWindow(DateTimeOffset now) => now >= BalanceStartsAt && now < BalanceEndsAt;
}

public enum PresaleStatus
{
    /// <summary>Deposit order created, not paid.</summary>
    DepositPending,
    DepositPaid,

    /// <summary>The balance order exists and awaits payment.</summary>
    BalanceOrdered,
    BalancePaid,

    /// <summary>The balance window ended unpaid; the deposit is kept.</summary>
    Forfeited,

    /// <summary>The balance window ended unpaid; the deposit goes back.</summary>
    DepositRefunded,

    /// <summary>The deposit was never paid.</summary>
    Lapsed,

    /// <summary>The paid balance was refunded in full: the presale is undone and its deposit goes back too.</summary>
    Refunded,
}

/// <summary>What ending the balance window means for a reservation.</summary>
public enum WindowOutcome
{
    /// <summary>Nothing to do: the balance was paid (or the deposit never was).</summary>
    None,
    ForfeitDeposit,
    RefundDeposit,
}

/// <summary>One customer's presale: the deposit order, then at most one open balance order at a time.</summary>
public sealed record PresaleReservation
{
    public required string Id { get; init; }

    public required string CampaignId { get; init; }

    public required string CustomerId { get; init; }

    public required string DepositOrderId { get; init; }

    public required PresaleStatus Status { get; init; }

    public string? BalanceOrderId { get; init; }

    /// <summary>Balance orders created so far (one lapses, the next gets a new id).</summary>
    public int BalanceAttempts { get; init; }

    /// <summary>When the balance reminder was settled (sent, or decided not to be); null while it may still go out.</summary>
    public DateTimeOffset? RemindedAt { get; init; }

    /// <summary>What became of the balance reminder, with WeChat's errcode when it answered one.</summary>
    public MessageResult? Reminder { get; init; }

    public static PresaleReservation Reserve(string id, PresaleCampaign campaign, string customerId, string depositOrderId, DateTimeOffset now) =>
        campaign.InDepositWindow(now)
            ? new PresaleReservation { Id = id, CampaignId = campaign.Id, CustomerId = customerId, DepositOrderId = depositOrderId, Status = PresaleStatus.DepositPending }
            : throw new DomainException(ErrorCode.OutsideWindow, $"Deposits for presale {campaign.Id} are taken from {campaign.DepositStartsAt:O} to {campaign.DepositEndsAt:O}.");

    /// <summary>The deposit order was paid. Returns false when the payment cannot count (it must be refunded).</summary>
    public (PresaleReservation Reservation, bool Counted) DepositPaid(PresaleCampaign campaign, DateTimeOffset paidAt)
    {
        if (Status != PresaleStatus.DepositPending)
        {
            return (this, Status is not PresaleStatus.Lapsed);
        }

        return campaign.InDepositWindow(paidAt) ? (this with { Status = PresaleStatus.DepositPaid }, true) : (this with { Status = PresaleStatus.Lapsed }, false);
    }

    public PresaleReservation DepositLapsed() => Status == PresaleStatus.DepositPending ? this with { Status = PresaleStatus.Lapsed } : this;

    /// <summary>
    /// The balance order to create now, or the open one again: never two open balance orders.
    /// </summary>
    public PresaleReservation OrderBalance(PresaleCampaign campaign, DateTimeOffset now)
    {
        if (Status == PresaleStatus.BalanceOrdered)
        {
            return this;
        }

        if (Status != PresaleStatus.DepositPaid)
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Presale {Id} is {Status}; no balance can be ordered.");
        }

        if (!campaign.InBalanceWindow(now))
        {
            throw new DomainException(ErrorCode.OutsideWindow, $"The balance is paid from {campaign.BalanceStartsAt:O} to {campaign.BalanceEndsAt:O}.");
        }

        var attempt = BalanceAttempts + 1;
        return this with { Status = PresaleStatus.BalanceOrdered, BalanceAttempts = attempt, BalanceOrderId = $"{Id}B{attempt}" };
    }

    /// <summary>The open balance order lapsed unpaid: another may be ordered while the window lasts.</summary>
    public PresaleReservation BalanceLapsed(string orderId) =>
        Status == PresaleStatus.BalanceOrdered && BalanceOrderId == orderId ? this with { Status = PresaleStatus.DepositPaid } : this;

    public PresaleReservation BalancePaid(string orderId) =>
        Status == PresaleStatus.BalanceOrdered && BalanceOrderId == orderId ? this with { Status = PresaleStatus.BalancePaid } : this;

    /// <summary>The paid balance order was refunded in full: the presale is undone (its deposit goes back too).</summary>
    public PresaleReservation BalanceRefunded(string orderId) =>
        Status == PresaleStatus.BalancePaid && BalanceOrderId == orderId ? this with { Status = PresaleStatus.Refunded } : this;

    /// <summary>
    /// Records what became of the reminder. One WeChat did not send for a passing reason leaves the reminder
    /// open for another try; every other outcome settles it.
    /// </summary>
    public PresaleReservation RecordReminder(MessageResult result, DateTimeOffset now) =>
        RemindedAt is not null ? this
        : this with { Reminder = result, RemindedAt = result.Outcome == MessageOutcome.NotSent ? null : now };

    /// <summary>The balance window is over: an unpaid balance forfeits or refunds the deposit, per the campaign.</summary>
    public (PresaleReservation Reservation, WindowOutcome Outcome) CloseWindow(PresaleCampaign campaign, DateTimeOffset now)
    {
        if (now < campaign.BalanceEndsAt)
        {
            throw new DomainException(ErrorCode.OutsideWindow, $"The balance window of presale {CampaignId} is open until {campaign.BalanceEndsAt:O}.");
        }

        return Status switch
        {
            PresaleStatus.DepositPaid or PresaleStatus.BalanceOrdered when campaign.DepositRefundable => (this with { Status = PresaleStatus.DepositRefunded }, WindowOutcome.RefundDeposit),
            PresaleStatus.DepositPaid or PresaleStatus.BalanceOrdered => (this with { Status = PresaleStatus.Forfeited }, WindowOutcome.ForfeitDeposit),
            PresaleStatus.DepositRefunded => (this, WindowOutcome.RefundDeposit),
            PresaleStatus.Forfeited => (this, WindowOutcome.ForfeitDeposit),
            _ => (this, WindowOutcome.None),
        };
    }
}
