using Mall.Application.Bargains;
using Mall.Application.Fission;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Bargains;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Fission;
using Mall.Domain.Orders;
using Mall.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Bargains;

/// <summary>
/// Bargains over Azurite: racing helps never pass the floor nor count a helper twice and cut exactly as the
/// seed says; racing starts never reserve past the day's budget; the starter orders at the reached price
/// through checkout before the deadline (never after), one live order at a time; the deadline gives the
/// budget back unless the order was paid, which spends it.
/// </summary>
public sealed class BargainTests
{
    private const long PriceFen = 10_000;
    private const long FloorFen = 1_000;
    private const long GapFen = PriceFen - FloorFen;
    private const int HelpsToFloor = 10;

    /// <summary>A mall on a fake clock with a bargain campaign: 100.00 down to 10.00 in 10 helps, 24 hours each.</summary>
    private sealed record BargainShop(MallFixture Mall, FakeTimeProvider Time, BargainService Bargains, BargainCampaign Campaign, string SkuId, string ProductId) : IAsyncDisposable
    {
        public BargainOrderRequest Address { get; } = new(MallFixture.Buy("x", 1).Address);

        public static async Task<BargainShop> StartAsync(long dailyBudgetFen = 10 * GapFen, int stock = 10, Action<IServiceCollection>? configureServices = null)
        {
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var mall = await MallFixture.StartAsync(time, configureServices: configureServices);
            var product = await mall.CreateProductAsync(PriceFen, null, stock);
            await mall.Get<FissionControls>().SetAsync(FissionMechanic.Bargains, new MechanicControlRequest(true, dailyBudgetFen), "admin", CancellationToken.None);
            var bargains = mall.Get<BargainService>();
            var campaign = await bargains.CreateCampaignAsync(
                new BargainCampaignRequest { SkuId = product.Skus[0].Id, FloorFen = FloorFen, HelpsToFloor = HelpsToFloor, MaxBargains = 100, EndsAt = time.GetUtcNow().AddDays(2) },
                CancellationToken.None);
            return new BargainShop(mall, time, bargains, campaign, product.Skus[0].Id, product.Id);
        }

        public async Task<(string Starter, BargainView Bargain)> StartBargainAsync()
        {
            var starter = await Mall.NewCustomerAsync();
            return (starter, (await Bargains.StartAsync(starter, new StartBargainRequest(Campaign.Id), CancellationToken.None)).Bargain);
        }

        /// <summary>Helps by new customers until the floor is reached.</summary>
        public async Task HelpToFloorAsync(string bargainId)
        {
            for (var i = 0; i < HelpsToFloor; i++)
            {
                await Bargains.HelpAsync(await Mall.NewCustomerAsync(), bargainId, CancellationToken.None);
            }
        }

        public async Task<Bargain> StoredAsync(string bargainId) =>
            (await Mall.Get<IDocumentCollection<Bargain>>().FindAsync(DocumentKey.Single(bargainId), CancellationToken.None))!.Value;

        /// <summary>Whether <paramref name="amountFen"/> more of the bargain's start day budget can still be reserved (the probe is released again).</summary>
        public async Task<bool> DayHasRoomForAsync(Bargain bargain, long amountFen)
        {
            var controls = Mall.Get<FissionControls>();
            try
            {
                var probe = await controls.ChargeAsync(FissionMechanic.Bargains, bargain.Budget!.Day, "probe-" + Guid.NewGuid().ToString("N"), amountFen, CancellationToken.None);
                await controls.ReleaseAsync(probe, CancellationToken.None);
                return true;
            }
            catch (DomainException exception) when (exception.Code == ErrorCode.BudgetExhausted)
            {
                return false;
            }
        }

        /// <summary>Every order the bargain gave an id to that can still be paid.</summary>
        public async Task<IReadOnlyList<Order>> LiveOrdersAsync(Bargain bargain)
        {
            var orders = Mall.Get<OrderStore>();
            var live = new List<Order>();
            for (var placed = 0; placed < bargain.OrdersPlaced; placed++)
            {
                if (await orders.FindAsync((bargain with { OrdersPlaced = placed }).NextOrderId, CancellationToken.None) is { IsAwaitingPayment: true } order)
                {
                    live.Add(order);
                }
            }

            return live;
        }

        /// <summary>Puts the campaign's product on sale or takes it off, as an operator would.</summary>
        public async Task SetOnSaleAsync(bool onSale) =>
            await Mall.Get<IDocumentCollection<Product>>().TransitionAsync(
                DocumentKey.Single(ProductId),
                current => Decision.Write(current!.Value with { Status = onSale ? ProductStatus.OnSale : ProductStatus.OffSale }, true),
                CancellationToken.None);

        public ValueTask DisposeAsync() => Mall.DisposeAsync();
    }

    [Fact]
    public async Task Racing_helps_never_pass_the_floor_nor_count_a_helper_twice_and_cut_as_the_seed_says()
    {
        await using var shop = await BargainShop.StartAsync();
        var (_, started) = await shop.StartBargainAsync();
        var helpers = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            helpers.Add(await shop.Mall.NewCustomerAsync());
        }

        // 16 helpers for 10 helps, each helping twice at once: 32 racing requests on one bargain.
        var attempts = helpers.SelectMany(h => new[] { h, h }).Select(helper => Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    var answer = await shop.Bargains.HelpAsync(helper, started.Id, CancellationToken.None);
                    return (Helper: helper, Answer: answer.Result.ToString(), answer.CutFen);
                }
                catch (DomainException busy) when (busy.Code == ErrorCode.Busy)
                {
                    // A contended bargain may answer busy; the mini-program retries.
                }
                catch (DomainException refused)
                {
                    return (Helper: helper, Answer: refused.Code.ToString(), CutFen: 0L);
                }
            }
        }));
        var answers = await Task.WhenAll(attempts);

        var stored = await shop.StoredAsync(started.Id);
        var cuts = answers.Where(a => a.Answer == nameof(BargainHelpResult.Cut)).ToList();
        Assert.Equal(HelpsToFloor, cuts.Count);
        Assert.Equal(HelpsToFloor, cuts.Select(c => c.Helper).Distinct().Count());
        Assert.Equal(HelpsToFloor, stored.Helps.Select(h => h.HelperId).Distinct().Count());
        Assert.Equal(FloorFen, stored.PriceFen);
        Assert.Equal(BargainCuts.Schedule(started.Id, GapFen, HelpsToFloor), stored.Helps.Select(h => h.CutFen));
        Assert.True(stored.Helps.Take(HelpsToFloor - 1).Sum(h => h.CutFen) < GapFen, "The floor came before the last help.");
        Assert.All(answers.Where(a => a.Answer == nameof(BargainHelpResult.AlreadyHelped)), a => Assert.Equal(cuts.Single(c => c.Helper == a.Helper).CutFen, a.CutFen));
        Assert.All(answers.Where(a => a.Answer is not (nameof(BargainHelpResult.Cut) or nameof(BargainHelpResult.AlreadyHelped))), a => Assert.Equal(nameof(ErrorCode.BargainAtFloor), a.Answer));
        var view = await shop.Bargains.GetAsync(started.Id, helpers[0], CancellationToken.None);
        Assert.Equal((FloorFen, HelpsToFloor), (view.PriceFen, view.Helps));
    }

    [Fact]
    public async Task Racing_starts_reserve_no_more_than_the_day_s_budget_and_a_retry_returns_the_same_bargain()
    {
        await using var shop = await BargainShop.StartAsync(dailyBudgetFen: 3 * GapFen);
        var customers = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            customers.Add(await shop.Mall.NewCustomerAsync());
        }

        var attempts = customers.SelectMany(c => new[] { c, c }).Select(customer => Task.Run(async () =>
        {
            try
            {
                return (Customer: customer, BargainId: (await shop.Bargains.StartAsync(customer, new StartBargainRequest(shop.Campaign.Id), CancellationToken.None)).Bargain.Id, Code: (ErrorCode?)null);
            }
            catch (DomainException refused)
            {
                return (Customer: customer, BargainId: (string?)null, Code: (ErrorCode?)refused.Code);
            }
        }));
        var results = await Task.WhenAll(attempts);

        var started = results.Where(r => r.BargainId is not null).ToList();
        Assert.Equal(3, started.Select(r => r.BargainId).Distinct().Count());
        Assert.All(started.GroupBy(r => r.Customer), g => Assert.Single(g.Select(r => r.BargainId).Distinct()));
        Assert.All(results.Where(r => r.BargainId is null), r => Assert.Equal(ErrorCode.BudgetExhausted, r.Code));
        var controls = await shop.Mall.Get<FissionControls>().ViewAsync(FissionMechanic.Bargains, CancellationToken.None);
        Assert.Equal(3 * GapFen, controls.SpentTodayFen);

        var retry = await shop.Bargains.StartAsync(started[0].Customer, new StartBargainRequest(shop.Campaign.Id), CancellationToken.None);
        Assert.Equal((started[0].BargainId, false), (retry.Bargain.Id, retry.Created));

        // At their deadlines, unordered bargains give their reservations back: the day has room again.
        shop.Time.Advance(TimeSpan.FromHours(25));
        foreach (var bargainId in started.Select(r => r.BargainId!).Distinct())
        {
            Assert.Equal(DueWorkOutcome.Done, (await shop.Bargains.HandleEndAsync(bargainId, CancellationToken.None)).Outcome);
            Assert.Equal(BargainPhase.Expired, (await shop.StoredAsync(bargainId)).Phase);
        }

        Assert.True(await shop.DayHasRoomForAsync(await shop.StoredAsync(started[0].BargainId!), 3 * GapFen));
    }

    [Fact]
    public async Task The_starter_orders_at_the_floor_and_the_paid_order_spends_the_reservation()
    {
        await using var shop = await BargainShop.StartAsync(dailyBudgetFen: GapFen);
        var (starter, started) = await shop.StartBargainAsync();
        await shop.HelpToFloorAsync(started.Id);

        var ordered = await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);
        var again = await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);
        var helpWhileOrdered = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.HelpAsync("someone-else", started.Id, CancellationToken.None));
        await shop.Mall.PayAsync(starter, ordered.Order.Id);
        await shop.Mall.Events.DrainAsync();

        var order = await shop.Mall.Get<OrderStore>().GetAsync(ordered.Order.Id, CancellationToken.None);
        Assert.True(ordered.Created);
        Assert.Equal((ordered.Order.Id, false), (again.Order.Id, again.Created));
        Assert.Equal(ErrorCode.BargainOrdered, helpWhileOrdered.Code);
        Assert.Equal(OrderStatus.Paid, order.Status);
        Assert.Equal((FloorFen, FloorFen), (order.Lines.Single().UnitPriceFen, order.Pricing.PayableFen));
        Assert.Equal(new OrderSource(OrderSource.Bargain, shop.Campaign.Id, started.Id), order.Source);
        Assert.True(order.ExpiresAt <= started.Deadline);
        Assert.Equal(BargainPhase.Paid, (await shop.StoredAsync(started.Id)).Phase);
        var view = await shop.Bargains.GetAsync(started.Id, starter, CancellationToken.None);
        Assert.Equal((BargainStatus.Paid, ordered.Order.Id), (view.Status, view.OrderId));
        Assert.Null((await shop.Bargains.GetAsync(started.Id, "stranger", CancellationToken.None)).OrderId);
        Assert.Equal(ordered.Order.Id, (await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None)).Order.Id);

        // The deadline changes nothing: the reservation stays spent.
        shop.Time.Advance(TimeSpan.FromHours(25));
        Assert.Equal(DueWorkOutcome.Done, (await shop.Bargains.HandleEndAsync(started.Id, CancellationToken.None)).Outcome);
        Assert.Equal(BargainPhase.Paid, (await shop.StoredAsync(started.Id)).Phase);
        Assert.False(await shop.DayHasRoomForAsync(await shop.StoredAsync(started.Id), 1));
    }

    [Fact]
    public async Task A_cancelled_order_lets_helps_resume_and_the_starter_order_again_at_the_lower_price()
    {
        await using var shop = await BargainShop.StartAsync();
        var (starter, started) = await shop.StartBargainAsync();
        await shop.Bargains.HelpAsync(await shop.Mall.NewCustomerAsync(), started.Id, CancellationToken.None);

        var first = await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);
        await shop.Mall.Get<OrderService>().CancelAsync(starter, first.Order.Id, CancellationToken.None);
        await shop.Mall.Events.DrainAsync();
        var help = await shop.Bargains.HelpAsync(await shop.Mall.NewCustomerAsync(), started.Id, CancellationToken.None);
        var second = await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);

        Assert.Equal(BargainHelpResult.Cut, help.Result);
        Assert.NotEqual(first.Order.Id, second.Order.Id);
        Assert.Equal(first.Order.Lines.Single().UnitPriceFen - help.CutFen, second.Order.Lines.Single().UnitPriceFen);
        Assert.Equal(help.Bargain.PriceFen, second.Order.Lines.Single().UnitPriceFen);
        Assert.Equal(10 - 1, (await shop.Mall.Get<StockService>().AvailableAsync(shop.ProductId, CancellationToken.None))[shop.SkuId]);
    }

    [Fact]
    public async Task A_placement_refused_before_the_order_exists_leaves_helps_open()
    {
        await using var shop = await BargainShop.StartAsync();
        var (starter, started) = await shop.StartBargainAsync();
        await shop.SetOnSaleAsync(false);

        var refused = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None));
        var afterRefusal = await shop.Bargains.GetAsync(started.Id, starter, CancellationToken.None);
        var help = await shop.Bargains.HelpAsync(await shop.Mall.NewCustomerAsync(), started.Id, CancellationToken.None);
        await shop.SetOnSaleAsync(true);
        var ordered = await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);

        Assert.Equal(ErrorCode.ProductNotOnSale, refused.Code);
        Assert.Equal((BargainStatus.Open, null), (afterRefusal.Status, afterRefusal.OrderId));
        Assert.Equal(BargainHelpResult.Cut, help.Result);
        Assert.True(ordered.Created);
        Assert.Equal(help.Bargain.PriceFen, ordered.Order.Lines.Single().UnitPriceFen);
    }

    [Fact]
    public async Task Operators_still_list_and_read_orders_after_a_bargain_placement_is_refused_before_its_order_exists()
    {
        await using var shop = await BargainShop.StartAsync();
        var (starter, started) = await shop.StartBargainAsync();
        var unwrittenId = (await shop.StoredAsync(started.Id)).NextOrderId;
        await shop.SetOnSaleAsync(false);
        await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None));
        var operatorOrders = shop.Mall.Get<OrderService>();

        // The refused placement is stored as a withdrawn order with no address: every operator view of it must still work.
        var everyOrder = await operatorOrders.ListAsync(status: null, priorityOnly: false, continuationToken: null, pageSize: 50, CancellationToken.None);
        var withdrawn = await operatorOrders.ListAsync(OrderStatus.Withdrawn, priorityOnly: false, continuationToken: null, pageSize: 50, CancellationToken.None);
        var detail = await operatorOrders.GetAsync(unwrittenId, CancellationToken.None);

        Assert.All(everyOrder.Items.Concat(withdrawn.Items), o => Assert.Equal(OrderStatus.Withdrawn, o.Status));
        Assert.Equal(OrderStatus.Withdrawn, detail.Status);
    }

    [Fact]
    public async Task A_double_tapped_bargain_order_that_finds_the_unwritten_placement_answers_its_refusal_not_a_500()
    {
        // The second tap ("late") passed the bargain's transition (no order yet) and is held just before it reads the
        // order; meanwhile the first tap's placement is refused before its order is written, which stores a placeholder.
        var lateReadsOrder = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstTapDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var shop = await BargainShop.StartAsync(configureServices: services => services.Script<Order>(orders =>
            orders.BeforeFind = async (actor, _) =>
            {
                if (actor == "late" && lateReadsOrder.TrySetResult())
                {
                    await firstTapDone.Task;
                }
            }));
        var (starter, started) = await shop.StartBargainAsync();
        await shop.SetOnSaleAsync(false);

        var late = ScriptedCollections.RunAs("late", async () =>
        {
            await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);
            return true;
        });
        await lateReadsOrder.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var first = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None));
        firstTapDone.SetResult();

        Assert.Equal(ErrorCode.ProductNotOnSale, first.Code);
        var second = await Record.ExceptionAsync(() => late);
        Assert.IsType<DomainException>(second);
    }

    [Fact]
    public async Task Rate_limited_bargain_orders_write_no_order_rows_beyond_the_order_rate()
    {
        await using var shop = await BargainShop.StartAsync();
        var (starter, started) = await shop.StartBargainAsync();
        var rate = shop.Mall.Get<LimitsOptions>().OrdersPerCustomerPerMinute;
        await shop.SetOnSaleAsync(false);

        var refusals = new List<ErrorCode>();
        for (var attempt = 0; attempt < rate + 5; attempt++)
        {
            refusals.Add((await Assert.ThrowsAnyAsync<DomainException>(() => shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None))).Code);
        }

        var bargain = await shop.StoredAsync(started.Id);
        var orders = shop.Mall.Get<OrderStore>();
        var stored = 0;
        for (var placed = 0; placed < bargain.OrdersPlaced; placed++)
        {
            stored += await orders.FindAsync((bargain with { OrdersPlaced = placed }).NextOrderId, CancellationToken.None) is null ? 0 : 1;
        }

        Assert.Equal(ErrorCode.TooManyRequests, refusals[^1]);
        Assert.True(stored <= rate, $"{stored} order rows written by {refusals.Count} refused requests; the order rate allows {rate} a minute.");
    }

    [Fact]
    public async Task Racing_orders_while_the_product_goes_off_sale_leave_one_live_order_at_most_and_the_bargain_on_it()
    {
        await using var shop = await BargainShop.StartAsync();
        var (starter, started) = await shop.StartBargainAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            if (i == 3)
            {
                await shop.SetOnSaleAsync(false);
                return;
            }

            try
            {
                await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);
            }
            catch (DomainException)
            {
                // Refused (off sale, or a racing request placing the same order): what is left is checked below.
            }
        }));

        var bargain = await shop.StoredAsync(started.Id);
        var live = await shop.LiveOrdersAsync(bargain);
        Assert.True(live.Count <= 1, $"{live.Count} live orders for one bargain");
        Assert.Equal(live.SingleOrDefault()?.Id, bargain.OrderId);

        await shop.SetOnSaleAsync(true);
        var ordered = await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);
        Assert.Equal([ordered.Order.Id], (await shop.LiveOrdersAsync(await shop.StoredAsync(started.Id))).Select(o => o.Id));
    }

    [Fact]
    public async Task Ordering_after_the_deadline_is_refused_and_the_deadline_gives_the_reservation_back()
    {
        await using var shop = await BargainShop.StartAsync(dailyBudgetFen: GapFen);
        var (starter, started) = await shop.StartBargainAsync();
        await shop.HelpToFloorAsync(started.Id);
        var bargain = await shop.StoredAsync(started.Id);
        Assert.False(await shop.DayHasRoomForAsync(bargain, 1));

        shop.Time.Advance(TimeSpan.FromHours(24));
        var late = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None));
        var lateHelp = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.HelpAsync("late-helper", started.Id, CancellationToken.None));
        var end = await shop.Bargains.HandleEndAsync(started.Id, CancellationToken.None);

        Assert.Equal(ErrorCode.BargainExpired, late.Code);
        Assert.Equal(ErrorCode.BargainExpired, lateHelp.Code);
        Assert.Equal(DueWorkOutcome.Done, end.Outcome);
        Assert.Equal(BargainStatus.Expired, (await shop.Bargains.GetAsync(started.Id, starter, CancellationToken.None)).Status);
        Assert.True(await shop.DayHasRoomForAsync(bargain, GapFen));
        Assert.Equal(DueWorkOutcome.Done, (await shop.Bargains.HandleEndAsync(started.Id, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task An_order_still_payable_at_the_deadline_holds_the_reservation_until_it_closes_unpaid()
    {
        await using var shop = await BargainShop.StartAsync(dailyBudgetFen: GapFen);
        var (starter, started) = await shop.StartBargainAsync();
        shop.Time.Advance(TimeSpan.FromHours(23.9));
        var ordered = await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);
        Assert.Equal(started.Deadline, ordered.Order.ExpiresAt);

        shop.Time.Advance(TimeSpan.FromHours(0.1));
        var whilePayable = await shop.Bargains.HandleEndAsync(started.Id, CancellationToken.None);
        Assert.Equal(DueWorkOutcome.Later, whilePayable.Outcome);
        Assert.False(await shop.DayHasRoomForAsync(await shop.StoredAsync(started.Id), 1));

        await shop.Mall.Get<OrderService>().HandleExpiryAsync(ordered.Order.Id, CancellationToken.None);
        await shop.Mall.Events.DrainAsync();
        var afterClose = await shop.Bargains.HandleEndAsync(started.Id, CancellationToken.None);

        Assert.Equal(DueWorkOutcome.Done, afterClose.Outcome);
        Assert.Equal(BargainPhase.Expired, (await shop.StoredAsync(started.Id)).Phase);
        Assert.True(await shop.DayHasRoomForAsync(await shop.StoredAsync(started.Id), GapFen));
    }

    [Fact]
    public async Task Switched_off_no_bargain_starts_and_no_help_counts_but_a_started_bargain_can_still_be_ordered()
    {
        await using var shop = await BargainShop.StartAsync();
        var (starter, started) = await shop.StartBargainAsync();
        await shop.Bargains.HelpAsync(await shop.Mall.NewCustomerAsync(), started.Id, CancellationToken.None);
        await shop.Mall.Get<FissionControls>().SetAsync(FissionMechanic.Bargains, new MechanicControlRequest(false, 10 * GapFen), "admin", CancellationToken.None);

        var start = await Assert.ThrowsAsync<DomainException>(async () => await shop.StartBargainAsync());
        var help = await Assert.ThrowsAsync<DomainException>(async () => await shop.Bargains.HelpAsync(await shop.Mall.NewCustomerAsync(), started.Id, CancellationToken.None));
        var ordered = await shop.Bargains.OrderAsync(starter, started.Id, shop.Address, CancellationToken.None);

        Assert.Equal(ErrorCode.MechanicSwitchedOff, start.Code);
        Assert.Equal(ErrorCode.MechanicSwitchedOff, help.Code);
        Assert.Equal(started.StartPriceFen - (await shop.StoredAsync(started.Id)).DiscountFen, ordered.Order.Lines.Single().UnitPriceFen);
    }

    [Fact]
    public async Task Only_the_starter_orders_the_starter_cannot_help_and_nobody_sees_who_helped()
    {
        await using var shop = await BargainShop.StartAsync();
        var (starter, started) = await shop.StartBargainAsync();
        var helper = await shop.Mall.NewCustomerAsync();
        var cut = await shop.Bargains.HelpAsync(helper, started.Id, CancellationToken.None);

        var own = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.HelpAsync(starter, started.Id, CancellationToken.None));
        var stranger = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.OrderAsync(helper, started.Id, shop.Address, CancellationToken.None));
        var asHelper = await shop.Bargains.GetAsync(started.Id, helper, CancellationToken.None);
        var anonymous = await shop.Bargains.GetAsync(started.Id, null, CancellationToken.None);

        Assert.Equal(ErrorCode.OwnBargain, own.Code);
        Assert.Equal(ErrorCode.Forbidden, stranger.Code);
        Assert.Equal((true, cut.CutFen, false), (asHelper.YouHelped, asHelper.YourCutFen, asHelper.IsYours));
        Assert.Equal((false, (long?)null, 1), (anonymous.YouHelped, anonymous.YourCutFen, anonymous.Helps));
        var json = System.Text.Json.JsonSerializer.Serialize(anonymous, MallJson.Options);
        Assert.DoesNotContain(helper, json, StringComparison.Ordinal);
        Assert.DoesNotContain(starter, json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_that_stopped_half_way_is_refused_at_its_deadline_and_gives_its_reservation_back()
    {
        await using var shop = await BargainShop.StartAsync(dailyBudgetFen: GapFen);
        var now = shop.Time.GetUtcNow();
        var stuck = new Bargain("BG-stuck", "C-stuck", shop.ProductId, shop.SkuId, PriceFen, FloorFen, HelpsToFloor, now, now.AddHours(24))
        {
            CampaignId = shop.Campaign.Id,
            Phase = BargainPhase.Starting,
            Budget = new BargainBudget(ChinaTime.DateOf(now), GapFen),
        };
        await shop.Mall.Get<IDocumentCollection<Bargain>>().InsertAsync(DocumentKey.Single(stuck.Id), stuck, [], CancellationToken.None);
        await shop.Mall.Get<FissionControls>().ChargeAsync(FissionMechanic.Bargains, stuck.Budget.Day, stuck.Id, GapFen, CancellationToken.None);

        var hidden = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.GetAsync(stuck.Id, null, CancellationToken.None));
        Assert.Equal(DueWorkOutcome.Later, (await shop.Bargains.HandleEndAsync(stuck.Id, CancellationToken.None)).Outcome);
        shop.Time.Advance(TimeSpan.FromHours(24));
        var end = await shop.Bargains.HandleEndAsync(stuck.Id, CancellationToken.None);

        Assert.Equal(ErrorCode.NotFound, hidden.Code);
        Assert.Equal(DueWorkOutcome.Done, end.Outcome);
        Assert.Equal(BargainPhase.Refused, (await shop.StoredAsync(stuck.Id)).Phase);
        Assert.True(await shop.DayHasRoomForAsync(stuck, GapFen));
    }

    [Theory]
    [InlineData(9_995, 10, "floorFen")]
    [InlineData(10_000, 10, "floorFen")]
    [InlineData(1_000, 101, "helpsToFloor")]
    public async Task A_campaign_that_could_not_work_is_refused_naming_the_field(long floorFen, int helps, string field)
    {
        await using var shop = await BargainShop.StartAsync();
        var request = new BargainCampaignRequest { SkuId = shop.SkuId, FloorFen = floorFen, TimeLimitHours = 24, HelpsToFloor = helps, MaxBargains = 10, EndsAt = shop.Time.GetUtcNow().AddDays(1), HelpEntry = HelpEntry.SharedLinkOnly };

        var refused = await Assert.ThrowsAsync<DomainException>(() => shop.Bargains.CreateCampaignAsync(request, CancellationToken.None));

        Assert.Equal(ErrorCode.ValidationFailed, refused.Code);
        Assert.Equal([field], refused.FieldErrors!.Keys);
    }
}
