using System.Globalization;
using Mall.Application.Catalog;
using Mall.Application.Fission;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Bargains;
using Mall.Domain.Common;
using Mall.Domain.Fission;
using Mall.Domain.Inventory;
using Mall.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Bargains;

public static class BargainWork
{
    /// <summary>A bargain's deadline: unless its order was paid, it ends and its budget reservation goes back.</summary>
    public const string End = "BargainEnd";
}

/// <summary>
/// Bargaining 砍价 (SPEC §4.11): operators' campaigns; a customer starts a bargain (its largest discount
/// reserved against the day's budget, so the cap holds however many start at once); any other signed-in
/// customer helps once, from any entry point; the starter orders one unit at the reached price through the
/// normal checkout before the deadline. The reservation is settled when that order is paid and released
/// when the bargain ends without one (<see cref="BargainWork.End"/>). Switched off, no bargain starts and no
/// help counts; a bargain already started may still be ordered until its deadline (its discount was
/// reserved within the budget when it started, and its helpers' help was given).
/// </summary>
public sealed partial class BargainService(
    IDocumentCollection<BargainCampaign> campaigns,
    IDocumentCollection<Bargain> bargains,
    IDocumentCollection<BargainStarter> starters,
    CatalogQueryService catalog,
    CounterStore counters,
    FissionControls controls,
    CheckoutService checkout,
    OrderStore orders,
    OrderViews orderViews,
    IDueWorkScheduler scheduler,
    BargainOptions options,
    TimeProvider time,
    ILogger<BargainService> logger)
{
    /// <summary>After its deadline, how long an order id the bargain took may still turn into an order (a placement under way).</summary>
    private static readonly TimeSpan PlacementGrace = TimeSpan.FromMinutes(1);

    /// <summary>How often the deadline's work looks again while the bargain's last order still awaits payment.</summary>
    private static readonly TimeSpan UnpaidOrderRecheck = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Saves a new campaign from the operator's request: the whole save, so a check on the request (the
    /// compliance rules) can run before anything is stored. The SKU's price must stay a fen per help above the floor.
    /// </summary>
    public async Task<BargainCampaign> CreateCampaignAsync(BargainCampaignRequest request, CancellationToken cancellationToken)
    {
        var (product, sku) = await catalog.GetSellableSkuAsync(request.SkuId!, cancellationToken);
        var now = time.GetUtcNow();
        var helps = request.HelpsToFloor ?? options.DefaultHelpsToFloor;
        var timeLimit = TimeSpan.FromHours(request.TimeLimitHours ?? options.DefaultTimeLimitHours);
        if (Bargain.Problem(sku.PriceFen, request.FloorFen!.Value, helps, now, now + timeLimit) is { } problem)
        {
            throw DomainException.Validation(problem.Field, problem.Message);
        }

        if (request.EndsAt!.Value <= now)
        {
            throw DomainException.Validation("endsAt", "The campaign would already be over.");
        }

        var campaign = new BargainCampaign
        {
            Id = Ids.New("BC"),
            ProductId = product.Id,
            SkuId = sku.Id,
            Title = product.Title,
            SkuName = sku.Name,
            FloorFen = request.FloorFen.Value,
            TimeLimit = timeLimit,
            HelpsToFloor = helps,
            MaxBargains = request.MaxBargains!.Value,
            StartsAt = (request.StartsAt ?? now).ToUniversalTime(),
            EndsAt = request.EndsAt.Value.ToUniversalTime(),
            HelpEntry = request.HelpEntry ?? HelpEntry.AnyEntry,
            CreatedAt = now,
        };
        await campaigns.InsertAsync(DocumentKey.Single(campaign.Id), campaign, [], cancellationToken);
        return campaign;
    }

    public async Task<BargainCampaign> GetCampaignAsync(string campaignId, CancellationToken cancellationToken) =>
        (await campaigns.FindAsync(DocumentKey.Single(campaignId), cancellationToken))?.Value ?? throw DomainException.NotFound($"Bargain campaign {campaignId}");

    public async Task<BargainCampaignPage> ListCampaignsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await campaigns.QueryAsync(new DocumentQuery(), continuationToken, pageSize, cancellationToken);
        return new BargainCampaignPage(page.Items.Select(c => c.Value).ToList(), page.ContinuationToken);
    }

    /// <summary>
    /// Starts the customer's bargain in a campaign, or returns the one still open (a retry lands on it: its id
    /// comes from the customer, the campaign and the attempt). Once a bargain ends (paid, expired, refused),
    /// the customer's next start is a new attempt.
    /// </summary>
    public async Task<BargainStartResult> StartAsync(string customerId, StartBargainRequest request, CancellationToken cancellationToken)
    {
        var campaign = await GetCampaignAsync(request.CampaignId!, cancellationToken);
        var starterKey = new DocumentKey(customerId, campaign.Id);
        while (true)
        {
            var attempt = (await starters.FindAsync(starterKey, cancellationToken))?.Value.Attempt ?? 0;
            var bargainId = Ids.Derive("BG", customerId, campaign.Id, attempt.ToString(CultureInfo.InvariantCulture));
            var found = (await bargains.FindAsync(KeyOf(bargainId), cancellationToken))?.Value;
            var now = time.GetUtcNow();
            switch (found)
            {
                case null:
                    return new BargainStartResult(await CreateAsync(campaign, customerId, bargainId, now, cancellationToken), Created: true);
                case { Phase: BargainPhase.Starting }:
                    return new BargainStartResult(View(campaign, await OpenAsync(campaign, found, cancellationToken), customerId, now), Created: true);
                case { Phase: BargainPhase.Open } when now < found.Deadline:
                    return new BargainStartResult(View(campaign, found, customerId, now), Created: false);
            }

            // That attempt is over: the next start is the next attempt (racing starts agree on which).
            await starters.TransitionAsync(
                starterKey,
                current => (current?.Value.Attempt ?? 0) == attempt
                    ? Decision.Write(new BargainStarter(attempt + 1), true)
                    : Decision.Keep<BargainStarter, bool>(false),
                cancellationToken);
        }
    }

    /// <summary>A bargain as <paramref name="viewerId"/> (null: not signed in) sees it.</summary>
    public async Task<BargainView> GetAsync(string bargainId, string? viewerId, CancellationToken cancellationToken)
    {
        var bargain = await GetVisibleAsync(bargainId, cancellationToken);
        return View(await GetCampaignAsync(bargain.CampaignId, cancellationToken), bargain, viewerId, time.GetUtcNow());
    }

    /// <summary>
    /// One customer's help: a cut (or, again, the cut they already gave), else a refusal saying why — the
    /// floor is reached, the time is up, the starter ordered, it is their own bargain, or bargains are switched off.
    /// </summary>
    public async Task<BargainHelpAnswer> HelpAsync(string helperId, string bargainId, CancellationToken cancellationToken)
    {
        await controls.EnsureEnabledAsync(FissionMechanic.Bargains, cancellationToken);
        var now = time.GetUtcNow();
        var outcome = await bargains.TransitionAsync(
            KeyOf(bargainId),
            current =>
            {
                var bargain = Visible(current?.Value, bargainId);
                var help = bargain.Help(helperId, now);
                if (help.Result != BargainHelpResult.Cut)
                {
                    return Decision.Keep<Bargain, BargainHelpOutcome>(help);
                }

                var helped = help.Bargain;
                return helped.AtFloor
                    ? Decision.Write(helped, help, new BargainReachedFloor(helped.Id, helped.CampaignId, helped.FloorFen, helped.Helps.Count) { OccurredAt = now })
                    : Decision.Write(helped, help);
            },
            cancellationToken);
        var view = View(await GetCampaignAsync(outcome.Bargain.CampaignId, cancellationToken), outcome.Bargain, helperId, now);
        return outcome.Result switch
        {
            BargainHelpResult.Cut or BargainHelpResult.AlreadyHelped => new BargainHelpAnswer(outcome.Result, outcome.CutFen, view),
            BargainHelpResult.AtFloor => throw new DomainException(ErrorCode.BargainAtFloor, "This bargain has reached its lowest price; there is nothing left to cut."),
            BargainHelpResult.Ordered => throw new DomainException(ErrorCode.BargainOrdered, "The starter has ordered at the price reached; helps are closed."),
            BargainHelpResult.OwnBargain => throw new DomainException(ErrorCode.OwnBargain, "You started this bargain; its helps come from other customers."),
            _ => throw new DomainException(ErrorCode.BargainExpired, $"This bargain ended at {outcome.Bargain.Deadline:O}."),
        };
    }

    /// <summary>
    /// The starter orders one unit at the price the bargain reached, before its deadline, through the normal
    /// checkout (stock, purchase limit, unpaid timeout capped at the deadline, payment and refunds as for any
    /// order). The price reached is what the customer pays: a bargain ships free, as 砍价 customers expect. One live order per bargain: a retry returns it; once it is cancelled or closes unpaid, the
    /// starter may order again, under a new order id.
    /// </summary>
    public async Task<BargainOrderResult> OrderAsync(string customerId, string bargainId, BargainOrderRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var bargain = await bargains.TransitionWithReadsAsync(
            KeyOf(bargainId),
            async current =>
            {
                var stored = Visible(current?.Value, bargainId);
                var bargain = await WithoutLapsedOrderAsync(stored, cancellationToken);
                var ordered = bargain.Order(customerId, now);
                return ReferenceEquals(ordered, stored) ? Decision.Keep<Bargain, Bargain>(ordered) : Decision.Write(ordered, ordered);
            },
            cancellationToken);
        var orderId = bargain.OrderId!;
        switch (await orders.FindAsync(orderId, cancellationToken))
        {
            case { Status: OrderStatus.Withdrawn, Withdrawal: { } refusal }:
                // A racing request's placement under this id was refused: so is this one, and the bargain may be ordered again.
                await ReleaseLapsedOrderAsync(bargain.Id, orderId, CancellationToken.None);
                throw refusal.ToException();
            case { Status: not OrderStatus.Reserving } placed:
                return new BargainOrderResult(orderViews.ForOwner(placed), Created: false);
        }

        try
        {
            var created = await checkout.CreateCampaignOrderAsync(
                customerId,
                new CampaignOrderRequest(orderId, new OrderSource(OrderSource.Bargain, bargain.CampaignId, bargain.Id), bargain.SkuId, 1, bargain.PriceFen, request.Address!, ChargeShipping: false, ExpiresAt: bargain.Deadline, OneAttempt: true),
                cancellationToken);
            return new BargainOrderResult(created.Order, created.Created);
        }
        catch (DomainException)
        {
            // A placement refused (off sale, out of stock, too many unpaid orders…) is withdrawn, even one refused before its
            // order was written (OneAttempt): the bargain may be ordered again, under its next order id.
            await ReleaseLapsedOrderAsync(bargain.Id, orderId, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The bargain's order ended unpaid (cancelled, closed, withdrawn): helps and ordering resume. Safe to repeat.</summary>
    public Task ReleaseLapsedOrderAsync(string bargainId, string orderId, CancellationToken cancellationToken) =>
        bargains.TransitionWithReadsAsync(
            KeyOf(bargainId),
            async current =>
            {
                if (current?.Value is not { } stored || stored.OrderId != orderId)
                {
                    return Decision.Keep<Bargain, bool>(false);
                }

                var released = await WithoutLapsedOrderAsync(stored, cancellationToken);
                return ReferenceEquals(released, stored) ? Decision.Keep<Bargain, bool>(false) : Decision.Write(released, true);
            },
            cancellationToken);

    /// <summary>The bargain's order was paid: the bargain is done and its budget reservation spent. Safe to repeat.</summary>
    public async Task RecordPaymentAsync(string bargainId, string orderId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var bargain = await bargains.TransitionAsync(
            KeyOf(bargainId),
            current =>
            {
                var stored = (current ?? throw DomainException.NotFound($"Bargain {bargainId}")).Value;
                var paid = stored.Paid(orderId);
                return ReferenceEquals(paid, stored)
                    ? Decision.Keep<Bargain, Bargain>(stored)
                    : Decision.Write(paid, paid, new BargainOrdered(paid.Id, paid.CampaignId, orderId, paid.PriceFen, paid.DiscountFen) { OccurredAt = now });
            },
            cancellationToken);
        if (bargain is { Phase: BargainPhase.Paid } && bargain.OrderId == orderId)
        {
            await controls.SettleAsync(ChargeOf(bargain), cancellationToken);
        }
        else
        {
            LogUnexpectedPayment(logger, bargainId, orderId, bargain.Phase);
        }
    }

    /// <summary>
    /// Due work at a bargain's deadline (late after downtime, or twice: the same result). A paid order settles the
    /// budget reservation; otherwise, once its last order can no longer be paid, the bargain expires and the
    /// reservation goes back. A start that never finished is refused and gives back what it reserved.
    /// </summary>
    public async Task<DueWorkResult> HandleEndAsync(string bargainId, CancellationToken cancellationToken)
    {
        var found = (await bargains.FindAsync(KeyOf(bargainId), cancellationToken))?.Value;
        var now = time.GetUtcNow();
        if (found is null)
        {
            return DueWorkResult.Done;
        }

        if (now < found.Deadline && found.Phase is BargainPhase.Starting or BargainPhase.Open)
        {
            return DueWorkResult.Later(found.Deadline);
        }

        switch (found.Phase)
        {
            case BargainPhase.Starting:
                // A start that stopped half-way and was never retried.
                if (await RefuseStartingAsync(bargainId, ErrorCode.CampaignNotActive, cancellationToken))
                {
                    await GiveBackAsync(found, cancellationToken);
                    return DueWorkResult.Done;
                }

                return DueWorkResult.Later(now);
            case BargainPhase.Refused:
                await GiveBackAsync(found, cancellationToken);
                return DueWorkResult.Done;
            case BargainPhase.Paid:
                await controls.SettleAsync(ChargeOf(found), cancellationToken);
                return DueWorkResult.Done;
            case BargainPhase.Expired:
                await controls.ReleaseAsync(ChargeOf(found), cancellationToken);
                return DueWorkResult.Done;
        }

        if (found.OrderId is { } orderId && await orders.FindAsync(orderId, cancellationToken) is { Payment: not null })
        {
            // Paid in time, its event still on its way.
            await RecordPaymentAsync(bargainId, orderId, cancellationToken);
            return DueWorkResult.Done;
        }

        var ended = await bargains.TransitionWithReadsAsync(
            KeyOf(bargainId),
            async current =>
            {
                var stored = current!.Value;
                var expired = (await WithoutLapsedOrderAsync(stored, cancellationToken)).Expire(now);
                return expired.Phase == BargainPhase.Expired && stored.Phase != BargainPhase.Expired
                    ? Decision.Write(expired, expired, new BargainExpired(expired.Id, expired.CampaignId, expired.PriceFen) { OccurredAt = now })
                    : Decision.Keep<Bargain, Bargain>(stored);
            },
            cancellationToken);
        switch (ended.Phase)
        {
            case BargainPhase.Expired:
                await controls.ReleaseAsync(ChargeOf(ended), cancellationToken);
                return DueWorkResult.Done;
            case BargainPhase.Paid:
                await controls.SettleAsync(ChargeOf(ended), cancellationToken);
                return DueWorkResult.Done;
            default:
                // Its order still awaits payment: it closes at its expiry (no later than the deadline), or is paid.
                return DueWorkResult.Later(now + UnpaidOrderRecheck);
        }
    }

    /// <summary>Refuses a bargain still Starting; true for the one request that did.</summary>
    private Task<bool> RefuseStartingAsync(string bargainId, ErrorCode why, CancellationToken cancellationToken) =>
        bargains.TransitionAsync(
            KeyOf(bargainId),
            current => current?.Value.Phase == BargainPhase.Starting ? Decision.Write(current.Value.Refuse(why), true) : Decision.Keep<Bargain, bool>(false),
            cancellationToken);

    private async Task<BargainView> CreateAsync(BargainCampaign campaign, string customerId, string bargainId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!campaign.IsRunningAt(now))
        {
            throw new DomainException(ErrorCode.CampaignNotActive, $"Bargains of this campaign can be started from {campaign.StartsAt:O} until {campaign.EndsAt:O}.");
        }

        await controls.EnsureEnabledAsync(FissionMechanic.Bargains, cancellationToken);
        var (_, sku) = await catalog.GetSellableSkuAsync(campaign.SkuId, cancellationToken);
        var deadline = now + campaign.TimeLimit;
        if (Bargain.Problem(sku.PriceFen, campaign.FloorFen, campaign.HelpsToFloor, now, deadline) is not null)
        {
            throw new DomainException(ErrorCode.CampaignNotActive, "The product's price is no longer far enough above this campaign's floor to bargain.");
        }

        var budget = new BargainBudget(ChinaTime.DateOf(now), sku.PriceFen - campaign.FloorFen);
        var spent = await controls.ViewAsync(FissionMechanic.Bargains, cancellationToken);
        if (spent.SpentTodayFen + budget.AmountFen > spent.DailyBudgetFen)
        {
            // Refused before anything is written; racing starts are held to the cap by the reservation itself.
            throw new DomainException(ErrorCode.BudgetExhausted, "Today's budget for bargains is spent; please come back tomorrow.");
        }

        var starting = new Bargain(bargainId, customerId, campaign.ProductId, campaign.SkuId, sku.PriceFen, campaign.FloorFen, campaign.HelpsToFloor, now, deadline)
        {
            CampaignId = campaign.Id,
            Phase = BargainPhase.Starting,
            Budget = budget,
        };

        // Its end is scheduled before it exists, so no reservation is left without its release.
        await scheduler.ScheduleAsync(new DueWork(BargainWork.End, bargainId, deadline), cancellationToken);
        Bargain stored;
        try
        {
            stored = (await bargains.InsertAsync(KeyOf(bargainId), starting, [], cancellationToken)).Value;
        }
        catch (ConcurrencyConflictException)
        {
            // The same start raced us: carry on with the bargain it wrote.
            stored = (await bargains.FindAsync(KeyOf(bargainId), cancellationToken))?.Value ?? throw new DomainException(ErrorCode.Busy, "The bargain is being started; please retry.");
        }

        return View(campaign, await OpenAsync(campaign, stored, cancellationToken), customerId, now);
    }

    /// <summary>
    /// Reserves a Starting bargain's campaign quota and budget and opens it. A refusal refuses the bargain —
    /// guarded on Starting, so it never refuses one another request opened — and the request that refuses it
    /// gives the reservations back; a request that finds it refused by another gives back what it took itself.
    /// </summary>
    private async Task<Bargain> OpenAsync(BargainCampaign campaign, Bargain starting, CancellationToken cancellationToken)
    {
        if (starting.Phase != BargainPhase.Starting)
        {
            return AfterStart(starting);
        }

        var now = time.GetUtcNow();
        try
        {
            if (await counters.ApplyAsync(QuotaKey(campaign.Id), QuotaOperation(starting.Id), 1, 0, campaign.MaxBargains, cancellationToken) == CounterOutcome.Refused)
            {
                throw new DomainException(ErrorCode.CampaignSoldOut, $"All {campaign.MaxBargains} bargains of this campaign have been started.");
            }

            await controls.ChargeAsync(FissionMechanic.Bargains, starting.Budget!.Day, starting.Id, starting.Budget.AmountFen, cancellationToken);
        }
        catch (DomainException refusal) when (refusal.Code != ErrorCode.Busy)
        {
            if (await RefuseStartingAsync(starting.Id, refusal.Code, cancellationToken))
            {
                await GiveBackAsync(starting, CancellationToken.None);
                throw;
            }

            return await AfterLostStartAsync(starting, cancellationToken);
        }

        var opened = await bargains.TransitionAsync(
            KeyOf(starting.Id),
            current =>
            {
                var stored = current!.Value;
                if (stored.Phase != BargainPhase.Starting)
                {
                    return Decision.Keep<Bargain, Bargain?>(null);
                }

                var open = stored.Open();
                return Decision.Write<Bargain, Bargain?>(open, open, new BargainStarted(open.Id, open.CampaignId, open.StarterId, open.SkuId, open.StartPriceFen, open.FloorFen, open.MaxHelps, open.Deadline) { OccurredAt = now });
            },
            cancellationToken);
        if (opened is null)
        {
            return await AfterLostStartAsync(starting, cancellationToken);
        }

        await counters.SettleAsync(QuotaKey(campaign.Id), QuotaOperation(starting.Id), cancellationToken);
        return opened;
    }

    /// <summary>Another request moved the Starting bargain first: opened, this one answers with it; refused, what this one reserved goes back.</summary>
    private async Task<Bargain> AfterLostStartAsync(Bargain starting, CancellationToken cancellationToken)
    {
        var current = (await bargains.FindAsync(KeyOf(starting.Id), cancellationToken))!.Value;
        if (current.Phase == BargainPhase.Refused)
        {
            await GiveBackAsync(current, CancellationToken.None);
        }

        return AfterStart(current);
    }

    /// <summary>A bargain that got past its start; a refused one answers with its refusal.</summary>
    private static Bargain AfterStart(Bargain bargain) =>
        bargain.Phase == BargainPhase.Refused
            ? throw new DomainException(bargain.Refusal ?? ErrorCode.Conflict, "This bargain could not be started; try again.")
            : bargain;

    private async Task GiveBackAsync(Bargain bargain, CancellationToken cancellationToken)
    {
        await counters.RevertAsync(QuotaKey(bargain.CampaignId), QuotaOperation(bargain.Id), cancellationToken);
        await controls.ReleaseAsync(ChargeOf(bargain), cancellationToken);
    }

    /// <summary>
    /// The bargain without its order when that order can no longer be paid: cancelled, closed or withdrawn, or never
    /// placed once the deadline (and a placement under way) is past. Read after the bargain, so a guarded write of the
    /// result proves the order was over when the bargain was last written.
    /// </summary>
    private async Task<Bargain> WithoutLapsedOrderAsync(Bargain bargain, CancellationToken cancellationToken)
    {
        if (bargain.OrderId is not { } orderId || bargain.Phase != BargainPhase.Open)
        {
            return bargain;
        }

        var order = await orders.FindAsync(orderId, cancellationToken);
        var lapsed = order is null
            ? time.GetUtcNow() >= bargain.Deadline + PlacementGrace
            : order.Status is OrderStatus.Cancelled or OrderStatus.Closed or OrderStatus.Withdrawn;
        return lapsed ? bargain.OrderLapsed(orderId) : bargain;
    }

    private async Task<Bargain> GetVisibleAsync(string bargainId, CancellationToken cancellationToken) =>
        Visible((await bargains.FindAsync(KeyOf(bargainId), cancellationToken))?.Value, bargainId);

    /// <summary>Bargains that never opened are nobody's business.</summary>
    private static Bargain Visible(Bargain? bargain, string bargainId) =>
        bargain is null or { Phase: BargainPhase.Starting or BargainPhase.Refused } ? throw DomainException.NotFound($"Bargain {bargainId}") : bargain;

    private static BargainView View(BargainCampaign campaign, Bargain bargain, string? viewerId, DateTimeOffset now)
    {
        var yours = viewerId is not null && viewerId == bargain.StarterId;
        var help = viewerId is null ? null : bargain.Helps.FirstOrDefault(h => h.HelperId == viewerId);
        var status = bargain.Phase switch
        {
            BargainPhase.Paid => BargainStatus.Paid,
            BargainPhase.Expired => BargainStatus.Expired,
            _ when bargain.OrderId is not null => BargainStatus.Ordered,
            _ when now >= bargain.Deadline => BargainStatus.Expired,
            _ => BargainStatus.Open,
        };
        return new BargainView(
            bargain.Id,
            bargain.CampaignId,
            bargain.ProductId,
            bargain.SkuId,
            campaign.Title,
            campaign.SkuName,
            bargain.StartPriceFen,
            bargain.PriceFen,
            bargain.FloorFen,
            bargain.Helps.Count,
            bargain.MaxHelps,
            bargain.Deadline,
            status,
            yours,
            help is not null,
            help?.CutFen,
            yours ? bargain.OrderId : null);
    }

    private static DocumentKey KeyOf(string bargainId) => DocumentKey.Single(bargainId);

    private static DocumentKey QuotaKey(string campaignId) => new($"bargains|{campaignId}", "started");

    private static string QuotaOperation(string bargainId) => "bargain:" + bargainId;

    private static BudgetCharge ChargeOf(Bargain bargain) => new(FissionMechanic.Bargains, bargain.Budget!.Day, bargain.Id, bargain.Budget.AmountFen);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bargain {BargainId}: payment of order {OrderId} not counted (bargain {Phase})")]
    private static partial void LogUnexpectedPayment(ILogger logger, string bargainId, string orderId, BargainPhase phase);
}
