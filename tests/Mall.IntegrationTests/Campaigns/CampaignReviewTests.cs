using Mall.Application.Campaigns;
using Mall.Application.FlashSale;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Presale;
using Mall.Application.Promotions;
using Mall.Domain.Campaigns;
using Mall.Domain.Common;
using Mall.Domain.Promotions;
using Mall.Infrastructure.Scheduling;
using Mall.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Campaigns;

/// <summary>
/// An adversarial review of the first version of the campaign calendar: each test failed on it. Races are
/// forced with <see cref="ScriptedCollection{T}"/> gates (a write held for one actor while another overtakes
/// it); clocks are <see cref="FakeTimeProvider"/>s moved by hand.
/// </summary>
public sealed class CampaignReviewTests
{
    private const string AnnouncementTemplate = "TPL_CAMPAIGN_PREVIEW";

    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static readonly DateTimeOffset Double11 = new(2026, 11, 11, 0, 0, 0, Cst);

    /// <summary>2026-12-10 00:00 CST: a winter discount, announced 7 days ahead (on the 3rd).</summary>
    private static readonly DateTimeOffset Tenth = new(2026, 12, 10, 0, 0, 0, Cst);

    private static readonly string[] AllKinds = [CampaignWork.Advance, CampaignWork.Announce];

    private static async Task<(MallFixture Mall, FakeTimeProvider Time)> StartAsync(DateTimeOffset now, Action<IServiceCollection>? configure = null)
    {
        var time = new FakeTimeProvider(now);
        var mall = await MallFixture.StartAsync(
            time,
            new Dictionary<string, string?>
            {
                ["Campaigns:AnnouncementTemplateId"] = AnnouncementTemplate,
                ["Campaigns:MessagesPerSecond"] = "1000000000",
                ["Campaigns:AnnouncementPageSize"] = "2",
            },
            configure);
        return (mall, time);
    }

    private static Task<DueWorkRunSummary> RunTimerAsync(MallFixture mall) => mall.Get<DueWorkProcessor>().RunAsync(AllKinds, CancellationToken.None);

    private static CampaignRequest Discount(string productId, DateTimeOffset startsAt, bool announce = false, int? priceBps = 9_000, string? priceRuleId = null) =>
        new() { Kind = CampaignKind.Discount, Name = "冬茶节", StartsAt = startsAt, EndsAt = startsAt.AddDays(2), PriceBps = priceBps, ProductIds = priceRuleId is null ? [productId] : null, PriceRuleId = priceRuleId, Announce = announce };

    private static CampaignRequest Festival(string skuId, string productId) =>
        new() { Kind = CampaignKind.Festival, Name = "双11大促", StartsAt = Double11, EndsAt = Double11.AddDays(3), PriceBps = 8_500, ProductIds = [productId], Announce = false, Presale = new FestivalPresaleRequest { SkuId = skuId, DepositFen = 10_000, DepositValueFen = 15_000, FinalPriceFen = 30_000, DepositRefundable = false, BalanceHours = 48 } };

    private static int AnnouncementsSent(MallFixture mall) =>
        mall.Environment.Sandbox.SubscribeMessages.Count(m => m.Message.TemplateId == AnnouncementTemplate);

    /// <summary>
    /// The warm-up run opens the festival's presale, then records the warm-up. The operator cancels the
    /// festival in between (its warm-up is not recorded yet, so the cancel is accepted): the run's guarded
    /// write then finds it cancelled and records nothing, and nobody closes the presale. Customers keep
    /// paying deposits into the presale of a festival that was cancelled. (The same happens after a crash
    /// between opening the presale and recording the warm-up, then a cancel.)
    /// </summary>
    [Fact]
    public async Task A_festival_cancelled_while_its_warm_up_run_opens_the_presale_leaves_no_presale_taking_deposits()
    {
        var held = 0;
        var atWrite = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var (mall, time) = await StartAsync(new DateTimeOffset(2026, 10, 1, 10, 0, 0, Cst), services => services.Script<Campaign>(c => c.BeforeWrite = async (actor, _) =>
        {
            if (actor == "advance" && Interlocked.Exchange(ref held, 1) == 0)
            {
                atWrite.TrySetResult();
                await release.Task;
            }
        }));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(40_000, null, 100);
        var campaigns = mall.Get<CampaignService>();
        var id = (await campaigns.CreateAsync("double-11", Festival(product.Skus[0].Id, product.Id), CancellationToken.None)).Campaign.Id;

        time.SetUtcNow(Double11.AddDays(-15).AddSeconds(15));
        var advance = ScriptedCollections.RunAs("advance", () => campaigns.AdvanceAsync(id, CancellationToken.None));
        await atWrite.Task;
        var cancelled = await campaigns.CancelAsync(id, CancellationToken.None);
        release.SetResult();
        await advance;

        var presaleId = Ids.Derive("PS", "festival", id);
        var customer = await mall.NewCustomerAsync();
        var deposit = await Record.ExceptionAsync(() => mall.Get<PresaleService>().ReserveAsync(customer, "deposit-1", new ReservePresaleRequest(presaleId, MallFixture.Buy("x", 1).Address), CancellationToken.None));
        var stored = await campaigns.FindAsync(id, CancellationToken.None);
        Assert.True(
            stored!.Status != CampaignStatus.Cancelled || deposit is not null,
            $"festival {id} is {stored.Status} (cancel answered phase {cancelled.Phase}), yet its presale {presaleId} took a deposit order from {customer}");
    }

    /// <summary>
    /// Creating a discount inserts the campaign (preparing), then creates its own price rule. A cancel in
    /// between finds no rule to withdraw; the creation then inserts the rule and leaves the campaign
    /// cancelled. The cancelled campaign's discount applies at checkout through its whole window.
    /// </summary>
    [Fact]
    public async Task A_discount_cancelled_while_its_creation_prepares_its_price_rule_leaves_no_discount_running()
    {
        var held = 0;
        var atRule = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var (mall, time) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst), services => services.Script<PriceRule>(r => r.BeforeWrite = async (actor, _) =>
        {
            if (actor == "create" && Interlocked.Exchange(ref held, 1) == 0)
            {
                atRule.TrySetResult();
                await release.Task;
            }
        }));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(10_000, null, 100);
        var campaigns = mall.Get<CampaignService>();
        var create = ScriptedCollections.RunAs("create", () => campaigns.CreateAsync("winter", Discount(product.Id, Tenth), CancellationToken.None));
        await atRule.Task;
        var id = CampaignService.NewId(Tenth.AddDays(2), "winter");
        await campaigns.CancelAsync(id, CancellationToken.None);
        release.SetResult();
        var created = await create;

        time.SetUtcNow(Tenth.AddHours(12));
        var rule = await mall.Get<PromotionService>().FindRuleAsync(created.Campaign.PriceRuleId!, CancellationToken.None);
        var customer = await mall.NewCustomerAsync();
        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, "buy-1", MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None)).Order;
        Assert.True(
            rule is null || !rule.IsActive(time.GetUtcNow()),
            $"campaign {id} is {created.Campaign.Status}, yet its price rule {rule?.Id} is active (withdrawn: {rule?.WithdrawnAt?.ToString("O") ?? "never"}); an order in its window pays {order.Pricing.PayableFen} fen (SKU listed at 10000, shipping 1000: the 90% discount applied)");
    }

    /// <summary>
    /// Operator B puts an existing discount on the calendar by linking its price rule — here the rule
    /// that operator A's campaign created for itself. A then cancels A's campaign: the cancel withdraws the
    /// rule, and B's campaign, still scheduled, runs without its discount.
    /// </summary>
    [Fact]
    public async Task Cancelling_one_campaign_does_not_withdraw_the_discount_another_campaign_linked()
    {
        var (mall, time) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(10_000, null, 100);
        var campaigns = mall.Get<CampaignService>();
        var a = (await campaigns.CreateAsync("operator-a", Discount(product.Id, Tenth), CancellationToken.None)).Campaign;
        var b = (await campaigns.CreateAsync("operator-b", Discount(product.Id, Tenth, priceBps: null, priceRuleId: a.PriceRuleId), CancellationToken.None)).Campaign;

        await campaigns.CancelAsync(a.Id, CancellationToken.None);

        time.SetUtcNow(Tenth.AddHours(12));
        await RunTimerAsync(mall);
        var stillB = await campaigns.FindAsync(b.Id, CancellationToken.None);
        var rule = await mall.Get<PromotionService>().FindRuleAsync(b.PriceRuleId!, CancellationToken.None);
        Assert.True(
            stillB!.Status == CampaignStatus.Cancelled || rule!.IsActive(time.GetUtcNow()),
            $"campaign {b.Id} is {stillB.Status} ({CampaignService.PhaseOf(stillB, time.GetUtcNow())}) with price rule {rule!.Id}, withdrawn at {rule.WithdrawnAt:O} by the cancel of campaign {a.Id}");
    }

    /// <summary>
    /// The announcement run is begun (its run document and its due work) before the Announce milestone is
    /// recorded. A second timer picks the announcement's due work up and sends it while the first still
    /// has to record the milestone; the operator cancels in that gap (nothing recorded yet, so accepted).
    /// Customers were told about a campaign that is cancelled, and their consents are spent.
    /// </summary>
    [Fact]
    public async Task A_campaign_cannot_be_cancelled_after_its_announcement_went_out()
    {
        var held = 0;
        var atWrite = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var (mall, time) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst), services => services.Script<Campaign>(c => c.BeforeWrite = async (actor, _) =>
        {
            if (actor == "advance" && Interlocked.Exchange(ref held, 1) == 0)
            {
                atWrite.TrySetResult();
                await release.Task;
            }
        }));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(10_000, null, 100);
        foreach (var customer in new[] { await mall.NewCustomerAsync(), await mall.NewCustomerAsync() })
        {
            await mall.AcceptSubscribeMessagesAsync(customer, AnnouncementTemplate);
        }

        var campaigns = mall.Get<CampaignService>();
        var id = (await campaigns.CreateAsync("winter", Discount(product.Id, Tenth, announce: true), CancellationToken.None)).Campaign.Id;

        time.SetUtcNow(Tenth.AddDays(-7).AddSeconds(15));
        var advance = ScriptedCollections.RunAs("advance", () => campaigns.AdvanceAsync(id, CancellationToken.None));
        await atWrite.Task;
        await campaigns.AnnounceAsync(id, CancellationToken.None);
        var cancel = await Record.ExceptionAsync(() => campaigns.CancelAsync(id, CancellationToken.None));
        release.SetResult();
        await advance;

        var stored = await campaigns.FindAsync(id, CancellationToken.None);
        Assert.True(
            stored!.Status != CampaignStatus.Cancelled || AnnouncementsSent(mall) == 0,
            $"campaign {id} is {stored.Status} (cancel {(cancel is null ? "accepted" : "refused")}), yet {AnnouncementsSent(mall)} customers were sent its pre-announcement");
    }

    /// <summary>
    /// The discount's price rule applies from its start whatever the timer does, but a cancel is refused
    /// only once the timer recorded a milestone. With the timer a few minutes behind, customers are already
    /// paying the campaign's price when the operator's cancel is accepted as "before anything of it ran",
    /// and the discount disappears mid-window (no CampaignStarted, no CampaignEnded).
    /// </summary>
    [Fact]
    public async Task A_discount_whose_start_passed_cannot_be_cancelled_as_if_nothing_ran()
    {
        var (mall, time) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(10_000, null, 100);
        var campaigns = mall.Get<CampaignService>();
        var id = (await campaigns.CreateAsync("winter", Discount(product.Id, Tenth), CancellationToken.None)).Campaign.Id;

        // The timer is five minutes behind; a customer buys at the campaign's price meanwhile.
        time.SetUtcNow(Tenth.AddMinutes(5));
        var customer = await mall.NewCustomerAsync();
        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, "buy-1", MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None)).Order;
        await mall.PayAsync(customer, order.Id);

        var cancel = await Record.ExceptionAsync(() => campaigns.CancelAsync(id, CancellationToken.None));
        var stored = await campaigns.FindAsync(id, CancellationToken.None);
        Assert.True(
            cancel is DomainException,
            $"cancel at {time.GetUtcNow():O}, 5 minutes into the campaign, after order {order.Id} was paid at {order.Pricing.PayableFen} fen (9000 at the campaign's 90% + 1000 shipping), was accepted: campaign now {stored!.Status}");
    }

    /// <summary>
    /// The host was down from before the announcement until after the campaign ended. The first run reaches
    /// announce, start and end in order — and sends the pre-announcement ("starts on 12-10") of a campaign
    /// that is over, spending each customer's one-time consent on it.
    /// </summary>
    [Fact]
    public async Task A_pre_announcement_reached_only_after_its_campaign_ended_is_not_sent()
    {
        var (mall, time) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(10_000, null, 100);
        var customer = await mall.NewCustomerAsync();
        await mall.AcceptSubscribeMessagesAsync(customer, AnnouncementTemplate);
        var campaigns = mall.Get<CampaignService>();
        var id = (await campaigns.CreateAsync("winter", Discount(product.Id, Tenth, announce: true), CancellationToken.None)).Campaign.Id;

        time.SetUtcNow(Tenth.AddDays(3));
        await RunTimerAsync(mall);
        await RunTimerAsync(mall);

        var stored = await campaigns.FindAsync(id, CancellationToken.None);
        Assert.True(
            AnnouncementsSent(mall) == 0,
            $"campaign {id} ended {stored!.EndsAt:O} and was {CampaignService.PhaseOf(stored, time.GetUtcNow())}; at {time.GetUtcNow():O} {AnnouncementsSent(mall)} customer(s) were sent its pre-announcement");
    }

    /// <summary>
    /// A campaign linking an existing price rule takes the rule's price and products but its own window:
    /// a discount on the calendar for 12-10..12-12 linked to a rule running to 12-31 ends (CampaignEnded) while
    /// its discount keeps applying for 19 more days. Nothing refuses the mismatch.
    /// </summary>
    [Fact]
    public async Task A_linked_price_rule_runs_no_longer_than_its_campaign()
    {
        var (mall, time) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(10_000, null, 100);
        var rule = await mall.Get<PromotionService>().CreateRuleAsync(new PriceRuleRequest("冬促", 8_000, [product.Id], Tenth, new DateTimeOffset(2026, 12, 31, 0, 0, 0, Cst), null, null), CancellationToken.None);
        var campaigns = mall.Get<CampaignService>();
        var created = await Record.ExceptionAsync(() => campaigns.CreateAsync("linked", Discount(product.Id, Tenth, priceBps: null, priceRuleId: rule.Id), CancellationToken.None));
        if (created is DomainException)
        {
            return;
        }

        time.SetUtcNow(Tenth.AddDays(2).AddHours(1));
        await RunTimerAsync(mall);
        var id = CampaignService.NewId(Tenth.AddDays(2), "linked");
        var stored = await campaigns.FindAsync(id, CancellationToken.None);
        var now = (await mall.Get<PromotionService>().FindRuleAsync(rule.Id, CancellationToken.None))!;
        Assert.True(
            !now.IsActive(time.GetUtcNow()),
            $"campaign {id} is {CampaignService.PhaseOf(stored!, time.GetUtcNow())} since {stored!.EndsAt:O}, yet its price rule {rule.Id} is active until {now.EndsAt:O}");
    }

    /// <summary>
    /// The Idempotency-Key is hashed into the campaign id behind the month of its end, so the same key with
    /// other terms ending in another month is not recognised as a reuse: a second campaign is created.
    /// </summary>
    [Fact]
    public async Task The_same_idempotency_key_for_a_campaign_ending_in_another_month_is_refused_as_reused()
    {
        var (mall, _) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(10_000, null, 100);
        var campaigns = mall.Get<CampaignService>();
        var first = await campaigns.CreateAsync("winter", Discount(product.Id, Tenth), CancellationToken.None);

        var second = await Record.ExceptionAsync(() => campaigns.CreateAsync("winter", Discount(product.Id, Tenth.AddMonths(1)), CancellationToken.None));

        Assert.True(
            second is DomainException { Code: ErrorCode.IdempotencyKeyReused },
            $"key 'winter' reused with other terms: {(second is null ? $"a second campaign {CampaignService.NewId(Tenth.AddMonths(1).AddDays(2), "winter")} was created beside {first.Campaign.Id}" : second.GetType().Name + ": " + second.Message)}");
    }

    /// <summary>The month validator accepts "0000-01"; computing that brand day throws ArgumentOutOfRangeException (a 500).</summary>
    [Fact]
    public async Task A_brand_day_of_year_0000_is_refused_naming_month()
    {
        var (mall, _) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst));
        await using var _ = mall;
        var request = new CampaignRequest { Kind = CampaignKind.BrandDay, Name = "品牌日", Month = "0000-01", PriceBps = 8_000, Announce = false };
        Assert.Empty(new CampaignRequestValidator().Validate(request).Errors);

        var refused = await Record.ExceptionAsync(() => mall.Get<CampaignService>().CreateAsync("brand-0000", request, CancellationToken.None));

        Assert.True(
            refused is DomainException { FieldErrors: { } fields } && fields.ContainsKey("month"),
            $"brand day month 0000-01: {refused?.GetType().Name ?? "accepted"}: {refused?.Message}");
    }

    /// <summary>
    /// A festival's presale terms are checked only at its warm-up, 15 days later: a presale SKU that does not
    /// exist is accepted with a 201, and at the warm-up the festival silently runs without a presale.
    /// </summary>
    [Fact]
    public async Task A_festival_whose_presale_sku_does_not_exist_is_refused_naming_presale_skuId()
    {
        var (mall, _) = await StartAsync(new DateTimeOffset(2026, 10, 1, 10, 0, 0, Cst));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(40_000, null, 100);

        var refused = await Record.ExceptionAsync(() => mall.Get<CampaignService>().CreateAsync("double-11", Festival("SKU_NONE-1", product.Id), CancellationToken.None));

        Assert.True(
            refused is DomainException { FieldErrors: { } fields } && fields.ContainsKey("presale.skuId"),
            $"festival with presale SKU SKU_NONE-1: {refused?.GetType().Name ?? "accepted"} {refused?.Message}");
    }

    /// <summary>
    /// The operator moves a daily template from 09:00 to 21:00. The change bumps the templates' version, so
    /// today and the next two days — already planned, their 09:00 sales created — are planned again under
    /// new keys (the slot is in the key): each of those days gets a second sale of the template, and the
    /// stock is moved out for both.
    /// </summary>
    [Fact]
    public async Task Moving_a_template_to_another_slot_gives_no_day_a_second_sale_of_it()
    {
        var (mall, _) = await StartAsync(new DateTimeOffset(2026, 12, 2, 8, 0, 0, Cst));
        await using var _ = mall;
        var product = await mall.CreateProductAsync(10_000, null, 1_000);
        var skuId = product.Skus[0].Id;
        var planner = mall.Get<FlashSlotPlanner>();
        var template = await planner.CreateAsync(new FlashSlotTemplateRequest { SkuId = skuId, PriceFen = 3_900, Quantity = 20, PerCustomerLimit = 1, Slot = "09:00", DurationMinutes = 60 }, CancellationToken.None);
        await planner.PlanAsync(force: false, CancellationToken.None);

        await planner.UpdateAsync(template.Id, new FlashSlotTemplateRequest { SkuId = skuId, PriceFen = 3_900, Quantity = 20, PerCustomerLimit = 1, Slot = "21:00", DurationMinutes = 60 }, CancellationToken.None);
        await planner.PlanAsync(force: false, CancellationToken.None);

        var today = new DateOnly(2026, 12, 2);
        var sales = await mall.Get<FlashSales>().StartingOnAsync(Enumerable.Range(0, 3).Select(today.AddDays), CancellationToken.None);
        var stock = (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[skuId];
        Assert.True(
            sales.GroupBy(s => ChinaTime.DateOf(s.StartsAt)).All(g => g.Count(s => s.Status != Domain.FlashSale.FlashSaleStatus.Cancelled) == 1),
            $"template {template.Id} has {sales.Count} live sales over 3 days: {string.Join(", ", sales.Select(s => $"{ChinaTime.ToCst(s.StartsAt):MM-dd HH:mm} {s.Status}"))}; stock 1000 → {stock}");
    }

    /// <summary>
    /// The brand day's id is fixed by its month, so once cancelled it can never be planned again: the same
    /// request returns the cancelled campaign (as created), and other terms are refused as a conflict.
    /// </summary>
    [Fact]
    public async Task A_cancelled_brand_day_can_be_planned_again_for_its_month()
    {
        var (mall, _) = await StartAsync(new DateTimeOffset(2026, 12, 1, 10, 0, 0, Cst));
        await using var _ = mall;
        var campaigns = mall.Get<CampaignService>();
        var request = new CampaignRequest { Kind = CampaignKind.BrandDay, Name = "品牌日", Month = "2026-12", PriceBps = 8_000, Announce = false };
        var first = (await campaigns.CreateAsync("brand-day-1", request, CancellationToken.None)).Campaign;
        await campaigns.CancelAsync(first.Id, CancellationToken.None);

        var again = await Record.ExceptionAsync(async () =>
        {
            var view = await campaigns.CreateAsync("brand-day-2", request with { PriceBps = 8_500 }, CancellationToken.None);
            Assert.Equal(CampaignStatus.Scheduled, view.Campaign.Status);
        });

        Assert.True(again is null, $"brand day of 2026-12 re-planned after cancelling {first.Id}: {again?.GetType().Name} {again?.Message}");
    }
}
