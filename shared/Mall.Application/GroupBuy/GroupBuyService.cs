using Mall.Application.Catalog;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.GroupBuy;
using Mall.Domain.Inventory;
using Mall.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Mall.Application.GroupBuy;

/// <summary>
/// Group buy 拼团: campaigns, opening and joining groups (a seat is taken before the order exists, so
/// the last seat cannot be sold twice), and what happens when members pay or their orders end.
/// The deadline is kept by <see cref="GroupBuyOrchestrator"/>.
/// </summary>
public sealed partial class GroupBuyService(
    IDocumentCollection<GroupBuyCampaign> campaigns,
    IDocumentCollection<GroupBuyGroup> groups,
    CatalogQueryService catalog,
    CounterStore counters,
    CheckoutService checkout,
    OrderStore orders,
    RefundService refunds,
    TimeProvider time,
    ILogger<GroupBuyService> logger)
{
    public const string SourceKind = "groupBuy";
    public const string FailedRefundReason = "Group buy did not fill in time";
    public const string LateRefundReason = "Group buy closed before this payment";
    public const string GroupHold = "its group has not filled yet";

    public async Task<GroupBuyCampaign> CreateCampaignAsync(GroupBuyCampaignRequest request, CancellationToken cancellationToken)
    {
        var (product, sku) = await catalog.GetSellableSkuAsync(request.SkuId!, cancellationToken);
        if (request.GroupPriceFen >= sku.PriceFen)
        {
            throw DomainException.Validation("groupPriceFen", $"The group price must be below the regular price ({sku.PriceFen} fen).");
        }

        var now = time.GetUtcNow();
        var campaign = new GroupBuyCampaign
        {
            Id = Ids.New("GB"),
            ProductId = product.Id,
            SkuId = sku.Id,
            GroupPriceFen = request.GroupPriceFen!.Value,
            GroupSize = request.GroupSize ?? GroupBuyCampaignRequestValidator.DefaultGroupSize,
            TimeLimit = TimeSpan.FromSeconds(request.TimeLimitSeconds ?? GroupBuyCampaignRequestValidator.DefaultTimeLimitSeconds),
            MaxGroups = request.MaxGroups!.Value,
            StartsAt = request.StartsAt ?? now,
            EndsAt = request.EndsAt!.Value,
        };
        await campaigns.InsertAsync(DocumentKey.Single(campaign.Id), campaign, [], cancellationToken);
        return campaign;
    }

    public async Task<GroupBuyCampaign> GetCampaignAsync(string campaignId, CancellationToken cancellationToken) =>
        (await campaigns.FindAsync(DocumentKey.Single(campaignId), cancellationToken))?.Value ?? throw DomainException.NotFound($"Group buy {campaignId}");

    /// <summary>Opens a group as its leader; the Idempotency-Key makes a retry return the same group and order.</summary>
    public async Task<GroupOrderResult> OpenAsync(string customerId, string? idempotencyKey, OpenGroupRequest request, CancellationToken cancellationToken)
    {
        var campaignId = request.CampaignId!;
        if (string.IsNullOrEmpty(idempotencyKey))
        {
            throw new DomainException(ErrorCode.IdempotencyKeyRequired, "Send an Idempotency-Key header so a retried request cannot open a second group.");
        }

        var campaign = await GetCampaignAsync(campaignId, cancellationToken);
        var groupId = Ids.Derive("G", customerId, campaignId, idempotencyKey);
        var leaderOrderId = Ids.Derive("O", groupId, customerId, "0");
        var group = (await groups.FindAsync(DocumentKey.Single(groupId), cancellationToken))?.Value;
        if (group is null)
        {
            var opened = GroupBuyGroup.Open(groupId, campaign, customerId, leaderOrderId, time.GetUtcNow());
            var quota = new DocumentKey($"groupbuy|{campaignId}", "groups");
            if (await counters.ApplyAsync(quota, "group:" + groupId, 1, 0, campaign.MaxGroups, cancellationToken) == CounterOutcome.Refused)
            {
                throw new DomainException(ErrorCode.CampaignSoldOut, $"All {campaign.MaxGroups} groups of this group buy have been opened; join one instead.");
            }

            await counters.SettleAsync(quota, "group:" + groupId, cancellationToken);
            // GroupBuyOpened starts the deadline process, so the deadline holds even if nobody ever pays.
            var started = new GroupBuyOpened(groupId, campaignId, customerId, opened.Deadline) { OccurredAt = opened.OpenedAt };
            group = await groups.TransitionAsync(DocumentKey.Single(groupId), current => current is null ? Decision.Write(opened, opened, started) : Decision.Keep<GroupBuyGroup, GroupBuyGroup>(current.Value), cancellationToken);
        }

        var order = await PlaceOrderAsync(campaign, group, customerId, leaderOrderId, request.Address!, cancellationToken);
        return new GroupOrderResult(View(campaign, await GetGroupAsync(groupId, cancellationToken), customerId), order);
    }

    /// <summary>Takes a seat in a forming group and creates the member's order at the group price.</summary>
    public async Task<GroupOrderResult> JoinAsync(string customerId, string groupId, GroupOrderRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (group, orderId) = await groups.TransitionAsync(
            DocumentKey.Single(groupId),
            current =>
            {
                var existing = current?.Value ?? throw DomainException.NotFound($"Group {groupId}");
                // Each seat taken gets a new order, so a customer whose earlier order lapsed may join again.
                var memberOrderId = Ids.Derive("O", groupId, customerId, existing.SeatsTaken.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var joined = existing.Reserve(customerId, memberOrderId, now);
                return Decision.Write(joined, (joined, memberOrderId));
            },
            cancellationToken);
        var campaign = await GetCampaignAsync(group.CampaignId, cancellationToken);
        var order = await PlaceOrderAsync(campaign, group, customerId, orderId, request.Address!, cancellationToken);
        return new GroupOrderResult(View(campaign, await GetGroupAsync(groupId, cancellationToken), customerId), order);
    }

    public async Task<GroupView> GetAsync(string groupId, string? viewerId, CancellationToken cancellationToken)
    {
        var group = await GetGroupAsync(groupId, cancellationToken);
        return View(await GetCampaignAsync(group.CampaignId, cancellationToken), group, viewerId);
    }

    /// <summary>A member's order was paid: count the seat and tell the group's process, or refund a payment that came too late.</summary>
    public async Task RecordPaymentAsync(string groupId, string orderId, DateTimeOffset paidAt, IWorkflowClient workflows, CancellationToken cancellationToken)
    {
        if (await CountPaymentAsync(groupId, orderId, paidAt, cancellationToken) != PaymentVerdict.Refund)
        {
            await workflows.RaiseEventAsync(groupId, GroupBuyOrchestrator.MemberPaidEvent, orderId, cancellationToken);
        }
    }

    /// <summary>Counts a payment once; a full group lets every paid member's order ship.</summary>
    private async Task<PaymentVerdict> CountPaymentAsync(string groupId, string orderId, DateTimeOffset paidAt, CancellationToken cancellationToken)
    {
        var (group, verdict) = await groups.TransitionAsync(
            DocumentKey.Single(groupId),
            current =>
            {
                var existing = (current ?? throw DomainException.NotFound($"Group {groupId}")).Value;
                var (changed, outcome) = existing.RecordPayment(orderId, paidAt);
                return ReferenceEquals(changed, existing) ? Decision.Keep<GroupBuyGroup, (GroupBuyGroup, PaymentVerdict)>((existing, outcome)) : Decision.Write(changed, (changed, outcome));
            },
            cancellationToken);
        LogPayment(logger, groupId, orderId, verdict);
        if (verdict == PaymentVerdict.Refund)
        {
            await refunds.RefundEverythingAsync(orderId, LateRefundReason, restock: true, cancellationToken);
            return verdict;
        }

        if (group.Status == GroupStatus.Succeeded)
        {
            // Full: every member's order may ship. Repeated deliveries repeat this harmlessly.
            foreach (var seat in group.Seats.Where(s => s.Status == SeatStatus.Paid))
            {
                await orders.ChangeAsync(seat.OrderId, o => o.ReleaseShippingHold(), cancellationToken);
            }
        }

        return verdict;
    }

    /// <summary>A member's order ended unpaid: the seat is free again.</summary>
    public Task ReleaseSeatAsync(string groupId, string orderId, CancellationToken cancellationToken) =>
        ChangeGroupAsync(groupId, g => g.Release(orderId), cancellationToken);

    public async Task<GroupStatus> StatusAsync(string groupId, CancellationToken cancellationToken) =>
        (await GetGroupAsync(groupId, cancellationToken)).Status;

    /// <summary>The deadline fired: fail the group unless it filled first; returns the paid orders to refund.</summary>
    public async Task<GroupClosing> FailAtDeadlineAsync(string groupId, CancellationToken cancellationToken)
    {
        // Seats are counted from OrderPaid events, which may still be on their way: a seat whose order
        // was paid before the deadline is counted first, so a group that filled in time never fails.
        var forming = await GetGroupAsync(groupId, cancellationToken);
        foreach (var seat in forming.Seats.Where(s => s.Status == SeatStatus.Reserved))
        {
            if ((await orders.FindAsync(seat.OrderId, cancellationToken))?.Payment is { } payment && payment.PaidAt < forming.Deadline)
            {
                await CountPaymentAsync(groupId, seat.OrderId, payment.PaidAt, cancellationToken);
            }
        }

        var group = await ChangeGroupAsync(groupId, g => g.FailAtDeadline(time.GetUtcNow()), cancellationToken);
        return new GroupClosing(group.Status, group.OrdersToRefund);
    }

    /// <summary>Refunds one member of a failed group, in full, stock returned. Safe to repeat.</summary>
    public async Task RefundMemberAsync(string groupId, string orderId, CancellationToken cancellationToken)
    {
        await refunds.RefundEverythingAsync(orderId, FailedRefundReason, restock: true, cancellationToken);
        await ChangeGroupAsync(groupId, g => g.MarkRefunded(orderId), cancellationToken);
    }

    private async Task<OrderView> PlaceOrderAsync(GroupBuyCampaign campaign, GroupBuyGroup group, string customerId, string orderId, AddressRequest address, CancellationToken cancellationToken)
    {
        try
        {
            var placed = await checkout.CreateCampaignOrderAsync(
                customerId,
                new CampaignOrderRequest(orderId, new OrderSource(SourceKind, campaign.Id, group.Id), campaign.SkuId, 1, campaign.GroupPriceFen, address, ExpiresAt: group.Deadline, ShippingHold: GroupHold),
                cancellationToken);
            return placed.Order;
        }
        catch (DomainException)
        {
            // No order (out of stock, purchase limit…): give the seat back.
            await ReleaseSeatAsync(group.Id, orderId, CancellationToken.None);
            throw;
        }
    }

    private async Task<GroupBuyGroup> GetGroupAsync(string groupId, CancellationToken cancellationToken) =>
        (await groups.FindAsync(DocumentKey.Single(groupId), cancellationToken))?.Value ?? throw DomainException.NotFound($"Group {groupId}");

    private Task<GroupBuyGroup> ChangeGroupAsync(string groupId, Func<GroupBuyGroup, GroupBuyGroup> change, CancellationToken cancellationToken) =>
        groups.UpdateAsync(DocumentKey.Single(groupId), $"Group {groupId}", change, cancellationToken);

    private static GroupView View(GroupBuyCampaign campaign, GroupBuyGroup group, string? viewerId) => new(
        group.Id,
        campaign.Id,
        campaign.SkuId,
        campaign.GroupPriceFen,
        group.Status,
        group.Size,
        group.PaidSeats,
        group.Status == GroupStatus.Forming ? group.Size - group.HoldingSeats : 0,
        group.Deadline,
        group.Seats
            .Select((s, i) => new GroupMemberView(s.CustomerId == viewerId ? "you" : $"member {i + 1}", s.Status, s.CustomerId == group.LeaderId, s.CustomerId == viewerId))
            .ToList());

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: payment of order {OrderId} {Verdict}")]
    private static partial void LogPayment(ILogger logger, string groupId, string orderId, PaymentVerdict verdict);
}

public sealed record GroupClosing(GroupStatus Status, IReadOnlyList<string> OrdersToRefund);
