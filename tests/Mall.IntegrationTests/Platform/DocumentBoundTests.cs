using System.Text.Json;
using Mall.Application.Catalog;
using Mall.Application.Inventory;
using Mall.Application.Membership;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.Reactivation;
using Mall.Application.Segmentation;
using Mall.Domain.CardCollecting;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Distribution;
using Mall.Domain.GroupBuy;
using Mall.Domain.Notifications;
using Mall.Domain.Orders;
using Mall.Domain.Segmentation;
using Mall.Infrastructure.Storage;
using Mall.Testing;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// Every stored document that accumulates has a bound: each test drives one, through its own rules,
/// far past where an unbounded list would outgrow an entity, and the document must still be written,
/// with a full outbox beside it (the most a write ever carries), to real Table storage.
/// </summary>
public sealed class DocumentBoundTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_group_joined_and_left_thousands_of_times_holds_at_most_its_size_in_seats()
    {
        var campaign = new GroupBuyCampaign
        {
            Id = "GB1", ProductId = "P1", SkuId = "P1-1", GroupPriceFen = 3_000, GroupSize = 50, TimeLimit = TimeSpan.FromDays(7), MaxGroups = 10,
            StartsAt = Now.AddDays(-1), EndsAt = Now.AddDays(30),
        };
        var group = GroupBuyGroup.Open("G1", campaign, "leader", "O-leader", Now);
        for (var member = 1; member < campaign.GroupSize - 1; member++)
        {
            group = group.Reserve($"member-{member:D4}", $"O-member-{member:D4}", Now);
        }

        // The last seat is taken and given back, again and again (join → cancel → join).
        for (var round = 0; round < 5_000; round++)
        {
            var orderId = $"O-{group.SeatsTaken:D20}";
            group = group.Reserve($"visitor-{round % 7}", orderId, Now).Release(orderId);
        }

        Assert.Equal(campaign.GroupSize - 1, group.Seats.Count);
        Assert.Equal(5_049, group.SeatsTaken);
        await AssertStillWritesAsync(group);
    }

    [Fact]
    public async Task An_order_takes_a_bounded_number_of_refund_requests_and_at_its_bound_still_writes_and_refunds_automatically()
    {
        await using var mall = await MallFixture.StartAsync();
        var admin = mall.Get<CatalogAdminService>();
        await admin.SaveCategoryAsync("tea", new CategoryRequest("Tea", 1), CancellationToken.None);
        var skus = Enumerable.Range(0, mall.Get<OrderOptions>().MaxLinesPerOrder).Select(i => new SkuRequest { Name = $"{i:D2}-{new string('规', 37)}", PriceFen = 1_000, Enabled = true, InitialStock = 10 }).ToList();
        var product = (await admin.CreateProductAsync(new ProductRequest { Title = new string('龙', 60), CategoryId = "tea", Tags = [], Status = ProductStatus.OnSale, Skus = skus }, CancellationToken.None)).Product;
        var customer = await mall.NewCustomerAsync();
        var items = product.Skus.Select(s => new OrderItemRequest(s.Id, 2)).ToList();
        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1) with { Items = items, Remark = new string('备', 200) }, CancellationToken.None)).Order;
        await mall.PayAsync(customer, order.Id);
        var refunds = mall.Get<RefundService>();
        var everyUnitOnce = new RefundRequestBody(new string('退', 80), product.Skus.Select(s => new OrderItemRequest(s.Id, 1)).ToList(), null);

        for (var request = 0; request < Order.MaxRefundRequests; request++)
        {
            var requested = await refunds.RequestAsync(customer, order.Id, everyUnitOnce, CancellationToken.None);
            await refunds.RejectAsync(order.Id, requested.Refunds[^1].Id, new RejectRefundRequest(new string('拒', 200)), CancellationToken.None);
        }

        var refused = await Assert.ThrowsAsync<DomainException>(() => refunds.RequestAsync(customer, order.Id, everyUnitOnce, CancellationToken.None));
        await refunds.RefundEverythingAsync(order.Id, "Campaign cancelled", restock: true, CancellationToken.None);
        var bounded = await mall.Get<OrderStore>().GetAsync(order.Id, CancellationToken.None);

        Assert.Equal(ErrorCode.RefundNotAllowed, refused.Code);
        Assert.Equal(Order.MaxRefundRequests + 1, bounded.Refunds.Count);
        Assert.True(bounded.Refunds[^1] is { Automatic: true, Status: not RefundStatus.Rejected });
        await AssertStillWritesAsync(bounded);
    }

    [Fact]
    public async Task A_withdrawal_book_after_thousands_of_withdrawals_keeps_the_open_ones_and_the_latest_decided()
    {
        var book = new WithdrawalBook { PromoterId = "C1" };
        var paid = 0L;
        for (var i = 0; i < 5_000; i++)
        {
            var id = $"W{i:D20}";
            book = book.Request(id, 100, settledFen: 1_000_000, Now).Decide(id, paid: i % 3 != 0, Now);
            paid += i % 3 != 0 ? 100 : 0;
        }

        for (var i = 0; i < WithdrawalBook.MaxRequested; i++)
        {
            book = book.Request($"open-{i}", 100, settledFen: 1_000_000, Now);
        }

        Assert.Equal(WithdrawalBook.MaxRequested + WithdrawalBook.DecidedKept, book.Withdrawals.Count);
        Assert.Equal(paid + (WithdrawalBook.MaxRequested * 100), book.HeldFen);
        Assert.Equal(ErrorCode.WithdrawalLimitReached, Assert.Throws<DomainException>(() => book.Request("one-more", 100, 1_000_000, Now)).Code);
        await AssertStillWritesAsync(book);
    }

    [Fact]
    public async Task A_product_whose_prices_change_all_day_keeps_a_bounded_price_history()
    {
        var product = ProductEditor.Save("P1", null, Draft(priceFen: 1_000, existing: null), Now, TimeSpan.FromDays(7)).Product;
        for (var change = 1; change <= 500; change++)
        {
            product = ProductEditor.Save("P1", product, Draft(1_000 + change, product), Now.AddMinutes(change), TimeSpan.FromDays(7)).Product;
        }

        Assert.All(product.Skus, sku => Assert.Equal(ProductEditor.MaxPricePeriods, sku.PriceHistory.Count));
        Assert.All(product.Skus, sku => Assert.Equal(1_500, sku.PriceHistory[^1].PriceFen));
        await AssertStillWritesAsync(product);
    }

    [Fact]
    public async Task A_customer_after_hundreds_of_orders_refunds_and_points_changes_keeps_bounded_memories()
    {
        var customer = Customer.Register(Customer.IdFor("openid-1"), "openid-1", "unionid-1", "ABCDEFGHJK", null, "protected-session-key", Now.AddYears(-3)).Customer
            with { Referrers = ["C-referrer-1", "C-referrer-2", "C-referrer-3"], Nickname = new string('茶', 20), ProtectedPhone = new string('p', 200) };
        var (segments, tiers) = (new SegmentationOptions().ToRules(), new MembershipOptions().ToRules());
        for (var i = 0; i < 600; i++)
        {
            var (orderId, at) = ($"O{i:D20}", Now.AddYears(-2).AddDays(i));
            customer = customer.RedeemPoints(orderId, 0, at).Customer;
            customer = customer.RecordPayment(orderId, 12_345, at, segments, tiers, at).Customer;
            customer = customer.ApplyPoints($"{orderId}|earned", orderId, 123, at).Customer;
            customer = customer.RecordRefund($"{orderId}R1", 12_345, at);
            customer = customer.ApplyPoints($"{orderId}|reversed-12345", orderId, -123, at).Customer;
            customer = customer.RecordFullRefund(orderId, at).ReturnPoints(orderId, 0, at).Customer;
            customer = customer.Review(segments, tiers, at).Customer.WakeUp(new ReactivationOptions().ToRules(), ChinaTime.DateOf(at), at).Customer;

            // What MembershipService does after each points change: the ledger takes the pending changes.
            customer = customer.SettlePoints([.. customer.PendingPoints.Select(p => p.Key)]);
        }

        Assert.Equal(CustomerActivity.OrdersRemembered, customer.Activity.CountedOrders.Count);
        Assert.Empty(customer.PendingPoints);
        Assert.Equal(CustomerActivity.MonthsKept, customer.Activity.Months.Count);
        await AssertStillWritesAsync(customer);
    }

    [Fact]
    public async Task A_subscription_granted_and_spent_thousands_of_times_remembers_only_its_latest_sends()
    {
        var subscription = MessageSubscription.None("C1", "TPL_WAKEUP");
        for (var i = 0; i < 5_000; i++)
        {
            subscription = subscription.Grant(Now).Spend($"wake-up:{i:D20}").Subscription;
        }

        Assert.Equal((5_000, 5_000), (subscription.Granted, subscription.Spent));
        Assert.Equal(20, subscription.SpentKeys.Count);
        await AssertStillWritesAsync(subscription);
    }

    [Fact]
    public async Task A_replenishment_day_stores_a_product_with_the_most_skus_in_one_document_and_its_run_the_most_urgent_lines()
    {
        // The longest ids and names the API takes, and numbers as long as JSON writes them.
        const double Huge = -1.2345678901234567E+300;
        ReplenishmentSuggestion Line(int sku) => new(
            $"{new string('P', 59)}-{sku:D3}", new string('P', 64), new string('龙', 60), new string('规', 40),
            long.MaxValue, long.MaxValue, Huge, Huge, Huge, long.MaxValue, long.MaxValue, Huge, long.MaxValue, Huge);
        var product = new ReplenishmentProductLines(new DateOnly(2026, 11, 25), new string('P', 64), Enumerable.Range(0, 100).Select(Line).ToList());
        var run = new ReplenishmentRun
        {
            Day = new DateOnly(2026, 11, 25),
            StartedAt = Now,
            CompletedAt = Now,
            Policy = new ReplenishmentOptions().ToPolicy(),
            HistoryDays = 91,
            // Only SKUs whose presale balance is still open: a few hundred at the busiest, and a thousand fit.
            HeldForPresales = Enumerable.Range(0, 1_000).ToDictionary(i => $"{new string('P', 59)}-{i:D4}", _ => long.MaxValue),
            ContinuationToken = new string('t', 300),
            MostUrgent = Enumerable.Range(0, ReplenishmentRun.MostUrgentKept).Select(Line).ToList(),
        };

        await AssertStillWritesAsync(product);
        await AssertStillWritesAsync(run);
    }

    [Fact]
    public async Task A_card_collection_holds_at_most_its_bound_in_cards_and_abandoned_redemptions_and_still_writes()
    {
        // Ten kinds, no misses allowed: a missing kind always comes with the next task.
        var campaign = SampleCardCampaign.With(Enumerable.Repeat(1, CardCampaign.MaxKinds).ToList(), 0, Now);
        var collection = new CardCollection(campaign.Id, new string('C', Ids.MaxLength));
        var tasks = 0;
        CardCollection Earn(CardCollection c)
        {
            var orderId = $"O{tasks++:D20}{new string('o', 43)}";
            return c.Earn(campaign, $"order:{orderId}", CardTaskKind.PaidOrder, orderId, Now).Collection;
        }

        // Redeemed and given up again and again (a refund during each redemption) until no more are started.
        while (collection.Abandoned.Count < CardCollection.MaxAbandoned)
        {
            while (collection.Missing(campaign.Cards.Count).Count > 0)
            {
                collection = Earn(collection);
            }

            var reserved = collection.Reserve(campaign, Now, new string('a', 600));
            reserved = reserved.RecordCharge(reserved.Redemption!.Id, new DateOnly(2026, 12, 1)).Collection;
            var (abandoned, effect) = reserved.Revoke(reserved.Redemption!.Consumed[0], "O", Now);
            Assert.Equal(RevocationEffect.RedemptionAbandoned, effect);
            collection = abandoned;
        }

        while (tasks < 1_000)
        {
            collection = Earn(collection);
        }

        Assert.Equal(CardCollection.MaxCards, collection.Cards.Count);
        Assert.Equal(ErrorCode.CardRewardUnavailable, Assert.Throws<DomainException>(() => collection.Reserve(campaign, Now, null)).Code);
        await AssertStillWritesAsync(collection);
    }

    [Fact]
    public async Task An_outbox_at_its_bound_still_writes_and_one_event_more_is_refused_before_anything_is_written()
    {
        var harness = await StorageHarness.CreateAsync();
        var notes = harness.Stored<Note>("Notes");
        var full = FullOutbox();

        await notes.InsertAsync(new DocumentKey("full", ""), new Note("n"), full, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            notes.InsertAsync(new DocumentKey("over", ""), new Note("n"), [.. full, PointsEvent(full.Count)], CancellationToken.None));

        Assert.Equal(full.Count, (await notes.FindAsync(new DocumentKey("full", ""), CancellationToken.None))!.PendingEvents.Count);
        Assert.Contains("undispatched events", refused.Message, StringComparison.Ordinal);
        Assert.Null(await notes.FindAsync(new DocumentKey("over", ""), CancellationToken.None));
    }

    private sealed record Note(string Text);

    private static ProductDraft Draft(long priceFen, Product? existing) => new(
        new string('龙', 60),
        new string('井', 120),
        new string('茶', 5_000),
        "tea",
        Enumerable.Range(0, 10).Select(i => $"tag-{i}-{new string('t', 14)}").ToList(),
        "2026-W48",
        new ProductMedia { Images = Enumerable.Range(0, 20).Select(i => $"https://cdn.example.com/products/P1/images/{i:D4}-{new string('i', 40)}.jpg").ToList() },
        5,
        ProductStatus.OnSale,
        Enumerable.Range(0, 100).Select(i => new SkuDraft(
            existing?.Skus[i].Id,
            $"{i:D3}-{new string('规', 36)}",
            Enumerable.Range(0, 5).ToDictionary(a => $"{a}-{new string('k', 18)}", a => new string('值', 40)),
            priceFen,
            null,
            true,
            10)).ToList());

    /// <summary>
    /// Writes the document with the fullest outbox a write can carry, reads it back and checks it is the
    /// same document with the same events pending.
    /// </summary>
    private static async Task AssertStillWritesAsync<T>(T document)
        where T : class
    {
        var harness = await StorageHarness.CreateAsync();
        var documents = harness.Stored<T>("Bounded");
        var outbox = FullOutbox();

        await documents.InsertAsync(new DocumentKey("bounded", ""), document, outbox, CancellationToken.None);
        var stored = (await documents.FindAsync(new DocumentKey("bounded", ""), CancellationToken.None))!;

        Assert.Equal(JsonSerializer.Serialize(document, MallJson.Options), JsonSerializer.Serialize(stored.Value, MallJson.Options));
        Assert.Equal(outbox.Count, stored.PendingEvents.Count);
    }

    /// <summary>As many events as an outbox takes (<see cref="TableOutboxStore.MaxChunks"/> chunks of text).</summary>
    private static List<IntegrationEvent> FullOutbox()
    {
        // The outbox is a JSON array: '[' and ']' around the events, separated by commas.
        var (events, length) = (new List<IntegrationEvent>(), 1);
        for (var next = PointsEvent(0); length + JsonSerializer.Serialize(EventCatalog.Seal(next), MallJson.Options).Length + 1 <= TableOutboxStore.MaxChunks * EntityChunks.ChunkLength; next = PointsEvent(events.Count))
        {
            length += JsonSerializer.Serialize(EventCatalog.Seal(next), MallJson.Options).Length + 1;
            events.Add(next);
        }

        Assert.Equal(TableOutboxStore.MaxChunks, EntityChunks.CountFor(TableOutboxStore.Serialize(events.Select(EventCatalog.Seal).ToList())));
        return events;
    }

    private static PointsChanged PointsEvent(int i) => new("C1", $"O{i:D20}|redeemed#1", $"O{i:D20}", -100) { OccurredAt = Now };
}
