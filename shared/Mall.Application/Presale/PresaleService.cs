using Mall.Application.Catalog;
using Mall.Application.Customers;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Notifications;
using Mall.Application.Platform;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Domain.Notifications;
using Mall.Domain.Orders;
using Mall.Domain.Presale;

namespace Mall.Application.Presale;

/// <summary>
/// Presales with deposit inflation: the deposit order reserves the goods; the balance order pays
/// the rest (final price minus the deposit's inflated value), holds no stock of its own and is the
/// one that ships. The deposit never ships: when the presale ends it is concluded (applied to the
/// paid balance, or forfeited and its unit put back on sale) or refunded. The windows are kept by
/// <see cref="PresaleOrchestrator"/>.
/// </summary>
public sealed class PresaleService(
    IDocumentCollection<PresaleCampaign> campaigns,
    IDocumentCollection<PresaleReservation> reservations,
    CatalogQueryService catalog,
    CheckoutService checkout,
    OrderStore orders,
    RefundService refunds,
    StockService stock,
    CustomerService customers,
    SubscriptionService subscriptions,
    TimeProvider time)
{
    public const string DepositKind = OrderSource.PresaleDeposit;
    public const string BalanceKind = "presaleBalance";
    public const string DepositRefundReason = "Presale balance not paid; deposit returned";
    public const string LateDepositReason = "Deposit paid outside the deposit window";
    public const string LateBalanceReason = "Balance paid after the presale closed";
    public const string PresaleRefundedReason = "Presale refunded with its balance";

    public Task<PresaleCampaign> CreateCampaignAsync(PresaleCampaignRequest request, CancellationToken cancellationToken) =>
        CreateCampaignAsync(request, Ids.New("PS"), cancellationToken);

    /// <summary>Creates a presale under an id the caller derived (a festival's), so a retry finds it instead of opening another.</summary>
    public async Task<PresaleCampaign> CreateCampaignAsync(PresaleCampaignRequest request, string campaignId, CancellationToken cancellationToken)
    {
        if ((await campaigns.FindAsync(DocumentKey.Single(campaignId), cancellationToken))?.Value is { } existing)
        {
            return existing;
        }

        var (product, sku) = await catalog.GetSellableSkuAsync(request.SkuId!, cancellationToken);
        var campaign = new PresaleCampaign
        {
            Id = campaignId,
            ProductId = product.Id,
            SkuId = sku.Id,
            DepositFen = request.DepositFen!.Value,
            DepositValueFen = request.DepositValueFen!.Value,
            FinalPriceFen = request.FinalPriceFen!.Value,
            DepositStartsAt = request.DepositStartsAt!.Value,
            DepositEndsAt = request.DepositEndsAt!.Value,
            BalanceStartsAt = request.BalanceStartsAt!.Value,
            BalanceEndsAt = request.BalanceEndsAt!.Value,
            DepositRefundable = request.DepositRefundable!.Value,
            ReminderTemplateId = request.ReminderTemplateId,
        };
        try
        {
            await campaigns.InsertAsync(DocumentKey.Single(campaign.Id), campaign, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return (await campaigns.FindAsync(DocumentKey.Single(campaign.Id), cancellationToken))?.Value ?? throw new DomainException(ErrorCode.Busy, "Being created concurrently; please retry.");
        }

        return campaign;
    }

    public async Task<PresaleCampaign> GetCampaignAsync(string campaignId, CancellationToken cancellationToken) =>
        (await campaigns.FindAsync(DocumentKey.Single(campaignId), cancellationToken))?.Value ?? throw DomainException.NotFound($"Presale {campaignId}");

    /// <summary>Reserves with a deposit order (payable until the deposit window closes); the Idempotency-Key makes a retry return the same.</summary>
    public async Task<PresaleOrderResult> ReserveAsync(string customerId, string? idempotencyKey, ReservePresaleRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idempotencyKey))
        {
            throw new DomainException(ErrorCode.IdempotencyKeyRequired, "Send an Idempotency-Key header so a retried request cannot reserve twice.");
        }

        var campaign = await GetCampaignAsync(request.CampaignId!, cancellationToken);
        var reservationId = Ids.Derive("R", customerId, campaign.Id, idempotencyKey);
        var depositOrderId = reservationId + "D";
        var now = time.GetUtcNow();
        var reservation = await reservations.TransitionAsync(
            DocumentKey.Single(reservationId),
            current =>
            {
                if (current is not null)
                {
                    return Decision.Keep<PresaleReservation, PresaleReservation>(current.Value);
                }

                var created = PresaleReservation.Reserve(reservationId, campaign, customerId, depositOrderId, now);
                return Decision.Write(created, created);
            },
            cancellationToken);
        try
        {
            var placed = await checkout.CreateCampaignOrderAsync(
                customerId,
                new CampaignOrderRequest(depositOrderId, new OrderSource(DepositKind, campaign.Id, reservationId), campaign.SkuId, 1, campaign.DepositFen, request.Address!, ChargeShipping: false, ExpiresAt: campaign.DepositEndsAt),
                cancellationToken);
            return new PresaleOrderResult(View(campaign, reservation), placed.Order);
        }
        catch (DomainException)
        {
            await ChangeAsync(reservationId, r => r.DepositLapsed(), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Creates the balance order in the balance window; while it is unpaid, asking again returns the same order.</summary>
    public async Task<PresaleOrderResult> OrderBalanceAsync(string customerId, string reservationId, BalanceRequest request, CancellationToken cancellationToken)
    {
        var existing = await GetOwnedAsync(customerId, reservationId, cancellationToken);
        var campaign = await GetCampaignAsync(existing.CampaignId, cancellationToken);
        var reservation = await ChangeAsync(reservationId, r => r.OrderBalance(campaign, time.GetUtcNow()), cancellationToken);
        var placed = await checkout.CreateCampaignOrderAsync(
            customerId,
            new CampaignOrderRequest(reservation.BalanceOrderId!, new OrderSource(BalanceKind, campaign.Id, reservationId), campaign.SkuId, 1, campaign.BalanceFen, request.Address!, HoldsStock: false, ExpiresAt: campaign.BalanceEndsAt),
            cancellationToken);
        return new PresaleOrderResult(View(campaign, reservation), placed.Order);
    }

    public async Task<PresaleView> GetAsync(string customerId, string reservationId, CancellationToken cancellationToken)
    {
        var reservation = await GetOwnedAsync(customerId, reservationId, cancellationToken);
        return View(await GetCampaignAsync(reservation.CampaignId, cancellationToken), reservation);
    }

    /// <summary>A presale order was paid: a deposit starts the process (or is refunded if too late); a balance completes it.</summary>
    public async Task RecordPaymentAsync(string kind, string reservationId, string orderId, DateTimeOffset paidAt, IWorkflowClient workflows, CancellationToken cancellationToken)
    {
        var reservation = await GetReservationAsync(reservationId, cancellationToken);
        var campaign = await GetCampaignAsync(reservation.CampaignId, cancellationToken);
        if (kind == DepositKind)
        {
            var counted = await reservations.TransitionAsync(
                DocumentKey.Single(reservationId),
                current =>
                {
                    var (paid, ok) = current!.Value.DepositPaid(campaign, paidAt);
                    return ReferenceEquals(paid, current.Value) ? Decision.Keep<PresaleReservation, bool>(ok) : Decision.Write(paid, ok);
                },
                cancellationToken);
            if (counted)
            {
                await workflows.StartOnceAsync(PresaleOrchestrator.Name, reservationId, new PresaleProcessInput(reservationId, campaign.BalanceStartsAt, campaign.BalanceEndsAt), cancellationToken);
            }
            else
            {
                await refunds.RefundEverythingAsync(orderId, LateDepositReason, restock: true, cancellationToken);
            }

            return;
        }

        var after = await ChangeAsync(reservationId, r => r.BalancePaid(orderId), cancellationToken);
        if (after.Status == PresaleStatus.BalancePaid && after.BalanceOrderId == orderId)
        {
            await ApplyDepositAsync(after, cancellationToken);
            await workflows.RaiseEventAsync(reservationId, PresaleOrchestrator.BalancePaidEvent, orderId, cancellationToken);
        }
        else
        {
            // The window closed before this payment counted: the balance goes back.
            await refunds.RefundEverythingAsync(orderId, LateBalanceReason, restock: false, cancellationToken);
        }
    }

    /// <summary>
    /// A presale order was refunded in full: the paid balance undoes the presale, so its deposit goes
    /// back too (its unit came back with the balance's refund). Other refunds (a late balance, a late
    /// deposit, a returned deposit) change nothing more.
    /// </summary>
    public async Task RecordRefundAsync(string kind, string reservationId, string orderId, CancellationToken cancellationToken)
    {
        if (kind != BalanceKind)
        {
            return;
        }

        var reservation = await ChangeAsync(reservationId, r => r.BalanceRefunded(orderId), cancellationToken);
        if (reservation.Status == PresaleStatus.Refunded)
        {
            await refunds.RefundEverythingAsync(reservation.DepositOrderId, PresaleRefundedReason, restock: false, cancellationToken);
        }
    }

    /// <summary>A presale order ended unpaid.</summary>
    public Task RecordLapseAsync(string kind, string reservationId, string orderId, CancellationToken cancellationToken) =>
        ChangeAsync(reservationId, r => kind == DepositKind ? r.DepositLapsed() : r.BalanceLapsed(orderId), cancellationToken);

    /// <summary>
    /// The balance window opened: remind the customer once (if the campaign has a reminder template and
    /// the customer accepted it — a one-time subscription is spent; without one no message goes out), and
    /// record what became of the reminder. When WeChat did not send it for a passing reason (busy, rate
    /// limit), this throws so the activity's retries try again; the subscription was given back.
    /// </summary>
    public async Task RemindAsync(string reservationId, CancellationToken cancellationToken)
    {
        var reservation = await GetReservationAsync(reservationId, cancellationToken);
        var campaign = await GetCampaignAsync(reservation.CampaignId, cancellationToken);
        if (reservation.RemindedAt is not null || reservation.Status != PresaleStatus.DepositPaid || campaign.ReminderTemplateId is null)
        {
            return;
        }

        var customer = await customers.GetAsync(reservation.CustomerId, cancellationToken);
        var result = await subscriptions.SendAsync(
            customer.Id,
            $"presale-balance:{reservationId}",
            new SubscribeMessage(customer.OpenId, campaign.ReminderTemplateId, $"pages/presale/index?id={reservationId}", new Dictionary<string, string>
            {
                // WeChat's amount field wants a currency symbol (subscribeMessage.send value rules).
                ["amount1"] = $"¥{campaign.BalanceFen / 100m:0.00}",
                ["time2"] = ChinaTime.ToCst(campaign.BalanceEndsAt).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            }),
            beforeSend: null,
            cancellationToken);
        await ChangeAsync(reservationId, r => r.RecordReminder(result, time.GetUtcNow()), cancellationToken);
        if (result.Outcome == MessageOutcome.NotSent)
        {
            throw new WeChatException(WeChatFailure.Unavailable, $"The balance reminder of presale {reservationId} was not sent ({result.Code}): {result.Detail}") { ErrorCode = result.Code };
        }
    }

    public async Task<PresaleStatus> StatusAsync(string reservationId, CancellationToken cancellationToken) =>
        (await GetReservationAsync(reservationId, cancellationToken)).Status;

    /// <summary>
    /// The balance window ended: an unpaid balance forfeits the deposit (the deposit order is
    /// concluded, then its unit goes back on sale) or refunds it, per the campaign. A balance paid at
    /// the last moment still counts. Safe to repeat.
    /// </summary>
    public async Task<PresaleStatus> CloseWindowAsync(string reservationId, CancellationToken cancellationToken)
    {
        var reservation = await GetReservationAsync(reservationId, cancellationToken);
        if (reservation.BalanceOrderId is { } balanceOrderId && (await orders.FindAsync(balanceOrderId, cancellationToken))?.Status == OrderStatus.Paid)
        {
            reservation = await ChangeAsync(reservationId, r => r.BalancePaid(balanceOrderId), cancellationToken);
        }

        if (reservation.Status == PresaleStatus.BalancePaid)
        {
            await ApplyDepositAsync(reservation, cancellationToken);
        }

        var campaign = await GetCampaignAsync(reservation.CampaignId, cancellationToken);
        var now = time.GetUtcNow();
        var outcome = await reservations.TransitionAsync(
            DocumentKey.Single(reservationId),
            current =>
            {
                var (closed, result) = current!.Value.CloseWindow(campaign, now);
                return ReferenceEquals(closed, current.Value) ? Decision.Keep<PresaleReservation, WindowOutcome>(result) : Decision.Write(closed, result);
            },
            cancellationToken);
        switch (outcome)
        {
            case WindowOutcome.RefundDeposit:
                await refunds.RefundEverythingAsync(reservation.DepositOrderId, DepositRefundReason, restock: true, cancellationToken);
                break;
            case WindowOutcome.ForfeitDeposit:
                // The deposit is kept, but the reserved unit was never bought: the deposit order is
                // done first (it can no longer ship or be refunded), then the unit is back on sale, once.
                var deposit = await orders.ChangeAsync(reservation.DepositOrderId, o => o.ConcludeDeposit("deposit forfeited: balance not paid", now), cancellationToken);
                await stock.ReturnForfeitedUnitsAsync(deposit, cancellationToken);
                break;
        }

        return (await GetReservationAsync(reservationId, cancellationToken)).Status;
    }

    /// <summary>The balance is paid: the deposit counts towards it and its order is done (the balance order ships). Idempotent.</summary>
    private Task<Order> ApplyDepositAsync(PresaleReservation reservation, CancellationToken cancellationToken) =>
        orders.ChangeAsync(reservation.DepositOrderId, o => o.ConcludeDeposit($"deposit applied to balance order {reservation.BalanceOrderId}", time.GetUtcNow()), cancellationToken);

    private async Task<PresaleReservation> GetReservationAsync(string reservationId, CancellationToken cancellationToken) =>
        (await reservations.FindAsync(DocumentKey.Single(reservationId), cancellationToken))?.Value ?? throw DomainException.NotFound($"Presale reservation {reservationId}");

    private async Task<PresaleReservation> GetOwnedAsync(string customerId, string reservationId, CancellationToken cancellationToken)
    {
        var reservation = await GetReservationAsync(reservationId, cancellationToken);
        return reservation.CustomerId == customerId ? reservation : throw DomainException.NotFound($"Presale reservation {reservationId}");
    }

    private Task<PresaleReservation> ChangeAsync(string reservationId, Func<PresaleReservation, PresaleReservation> change, CancellationToken cancellationToken) =>
        reservations.UpdateAsync(DocumentKey.Single(reservationId), $"Presale reservation {reservationId}", change, cancellationToken);

    private static PresaleView View(PresaleCampaign campaign, PresaleReservation reservation) => new(
        reservation.Id,
        campaign.Id,
        reservation.Status,
        campaign.DepositFen,
        campaign.DepositValueFen,
        campaign.FinalPriceFen,
        campaign.BalanceFen,
        campaign.BalanceStartsAt,
        campaign.BalanceEndsAt,
        campaign.DepositRefundable,
        reservation.DepositOrderId,
        reservation.BalanceOrderId);
}
