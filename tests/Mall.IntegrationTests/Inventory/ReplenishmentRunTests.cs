using Mall.Application.Analytics;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.Presale;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Mall.Domain.Presale;
using Mall.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Inventory;

/// <summary>The daily replenishment run on real Azurite, fed by real paid orders, a refund and a presale deposit.</summary>
public sealed class ReplenishmentRunTests
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static DateTimeOffset At(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, Cst);

    private static ReplenishmentService Service(MallFixture mall, IDocumentCollection<ReplenishmentProductLines>? lines = null) => new(
        mall.Get<IDocumentCollection<Product>>(),
        mall.Get<IDocumentCollection<PresaleReservation>>(),
        mall.Get<IDocumentCollection<PresaleCampaign>>(),
        mall.Get<IDocumentCollection<ReplenishmentRun>>(),
        lines ?? mall.Get<IDocumentCollection<ReplenishmentProductLines>>(),
        mall.Get<StockService>(),
        mall.Get<SkuSalesTally>(),
        mall.Get<ReplenishmentOptions>(),
        mall.Environment.Time,
        NullLogger<ReplenishmentService>.Instance);

    [Fact]
    public async Task A_day_suggests_by_the_forecast_of_what_customers_kept_and_running_it_again_changes_nothing()
    {
        var time = new FakeTimeProvider(At(11, 25, 10));
        await using var mall = await MallFixture.StartAsync(time, new Dictionary<string, string?>
        {
            ["Replenishment:HistoryDays"] = "7",
            ["Replenishment:SmoothingBps"] = "5000",
        });
        var events = EventPump.For(mall.Services, new RecordingWorkflows());
        var product = await mall.CreateProductAsync(5_000, null, 45, 50);
        var (tea, untouched) = (product.Skus[0].Id, product.Skus[1].Id);
        var customer = await mall.NewCustomerAsync();

        async Task<OrderView> BuyAsync(DateTimeOffset at, int units)
        {
            time.SetUtcNow(at);
            var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(tea, units), CancellationToken.None)).Order;
            await mall.PayAsync(customer, order.Id);
            await events.DrainAsync();
            return order;
        }

        // 28 November: outside the 7-day history, inside the 30-day turnover window.
        await BuyAsync(At(11, 28, 12), 4);
        // 3–9 December, the history: 2, 7 (of which 1 is refunded: 6 kept), 2, 6, 2, 6, 4.
        await BuyAsync(At(12, 3, 12), 2);
        var refunded = await BuyAsync(At(12, 4, 12), 7);
        time.SetUtcNow(At(12, 5, 9));
        var refunds = mall.Get<RefundService>();
        var requested = await refunds.RequestAsync(customer, refunded.Id, new RefundRequestBody("买多了", [new OrderItemRequest(tea, 1)], null), CancellationToken.None);
        await refunds.ApproveAsync(refunded.Id, Assert.Single(requested.Refunds).Id, new ApproveRefundRequest(null, null), CancellationToken.None);
        await MallFixture.WaitUntilAsync(async () =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await refunds.CheckAsync(refunded.Id, CancellationToken.None);
            return (await mall.Get<OrderStore>().GetAsync(refunded.Id, CancellationToken.None)).Refunds.All(r => r.Status == RefundStatus.Succeeded);
        });
        await events.DrainAsync();
        await BuyAsync(At(12, 5, 12), 2);
        await BuyAsync(At(12, 6, 12), 6);
        // A presale deposit on the 6th: it holds a unit (out of stock since) and is not ordinary demand.
        var presales = mall.Get<PresaleService>();
        var campaign = await presales.CreateCampaignAsync(
            new PresaleCampaignRequest { SkuId = tea, DepositFen = 1_000, DepositValueFen = 2_000, FinalPriceFen = 5_000, DepositStartsAt = At(12, 6, 0), DepositEndsAt = At(12, 8, 0), BalanceStartsAt = At(12, 8, 0), BalanceEndsAt = At(12, 12, 0), DepositRefundable = false }, CancellationToken.None);
        var deposit = await presales.ReserveAsync(customer, Guid.NewGuid().ToString(), new ReservePresaleRequest(campaign.Id, MallFixture.Buy(tea, 1).Address), CancellationToken.None);
        await mall.PayAsync(customer, deposit.Order.Id);
        await events.DrainAsync();
        await BuyAsync(At(12, 7, 12), 2);
        await BuyAsync(At(12, 8, 12), 6);
        await BuyAsync(At(12, 9, 12), 4);
        Assert.Equal(PresaleStatus.DepositPaid, await presales.StatusAsync(deposit.Presale.Id, CancellationToken.None));

        // Thursday 10 December, 03:00 CST.
        time.SetUtcNow(At(12, 10, 3));
        var replenishment = mall.Get<ReplenishmentService>();
        var first = await replenishment.RunAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromHours(1));
        await mall.Get<StockService>().AdjustAsync(tea, "restock-after-the-run", new StockAdjustmentRequest(100, "delivery"), CancellationToken.None);
        var again = await replenishment.RunAsync(CancellationToken.None);

        // History 2, 6, 2, 6, 2, 6, 4; α = 0.5, started at the mean 28/7 = 4:
        //   4 → 3 → 4.5 → 3.25 → 4.625 → 3.3125 → 4.65625 → 4.328125 units a day.
        // σ: deviations from 4 are ∓2 six times and 0 once: 24 / 6 = 4, σ = 2.
        // Lead time 2 days: 8.65625; safety stock 1.6448536 × 2 × √2 = 4.652; reorder point ⌈13.309⌉ = 14.
        // Review 7 days: 30.296875; order up to ⌈43.605⌉ = 44.
        // On hand: 45 − (4 + 2 + 7 + 2 + 6 + 2 + 6 + 4) + 1 refunded − 1 deposit = 12 ≤ 14, so 44 − 12 = 32.
        // Cover 12 / 4.328125 = 2.77 days. Sold in 30 days 4 + 28 = 32; average on hand 12 + 32/2 = 28; turnover 32/28 = 1.14.
        var report = await replenishment.ReportAsync(null, 20, CancellationToken.None);
        Assert.Equal(2, report.Lines.Count);
        var line = report.Lines[0];
        Assert.Equal(tea, line.SkuId);
        Assert.Equal((12L, 1L, 4.328, 8.66, 4.65), (line.OnHand, line.HeldForPresales, line.DailyDemand, line.DemandOverLeadTime, line.SafetyStock));
        Assert.Equal((14L, 32L, (double?)2.77, 32L, (double?)1.14), (line.ReorderPoint, line.SuggestedQuantity, line.DaysOfCover, line.SoldLast30Days, line.TurnoverPerMonth));
        // The other SKU sold nothing: no demand, no order, no cover to speak of; its 50 units did not turn over.
        var still = report.Lines[1];
        Assert.Equal((untouched, 50L, 0.0, 0L, 0L, (double?)null, (double?)0.0), (still.SkuId, still.OnHand, still.DailyDemand, still.ReorderPoint, still.SuggestedQuantity, still.DaysOfCover, still.TurnoverPerMonth));
        // All SKUs: 32 sold over (28 + 50) average on hand = 0.41 a month, against the seed's goal of 6.
        Assert.Equal(("2026-12-10", 1, 2, 1, 32L, 32L, (double?)0.41, 6.0), (report.Day, report.Products, report.Skus, report.ToReorder, report.UnitsToOrder, report.SoldLast30Days, report.TurnoverPerMonth, report.TurnoverGoal));

        // The second run found the day finished: the restock after it changed nothing.
        Assert.Equal(first, again with { MostUrgent = first.MostUrgent, HeldForPresales = first.HeldForPresales });
        Assert.Equal(first.MostUrgent, again.MostUrgent);
        var panel = await replenishment.PanelAsync(10, CancellationToken.None);
        Assert.Equal(("2026-12-10", first.CompletedAt, (double?)0.41, 6.0), (panel.Day, panel.ComputedAt, panel.TurnoverPerMonth, panel.TurnoverGoal));
        ReplenishmentLine[] mostUrgentFirst = [new(tea, "Longjing (sku 0)", 12, 4.328, 14, 32, 2.77), new(untouched, "Longjing (sku 1)", 50, 0, 0, 0, null)];
        Assert.Equal(mostUrgentFirst, panel.Lines);
    }

    [Fact]
    public async Task A_run_that_crashes_after_storing_a_product_resumes_and_concurrent_runs_count_every_product_once()
    {
        var time = new FakeTimeProvider(At(12, 1, 10));
        await using var mall = await MallFixture.StartAsync(time, new Dictionary<string, string?> { ["Replenishment:PageSize"] = "1" });
        var customer = await mall.NewCustomerAsync();
        var paid = new List<Order>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var product = await mall.CreateProductAsync(5_000, null, 5);
            time.SetUtcNow(At(12, 1, 12));
            var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 2), CancellationToken.None)).Order;
            await mall.PayAsync(customer, order.Id);
            paid.Add(await mall.Get<OrderStore>().GetAsync(order.Id, CancellationToken.None));
        }

        await mall.Events.DrainAsync();
        // The payment event delivered again (after a crash of the dispatcher, say) counts its units once.
        var tally = mall.Get<SkuSalesTally>();
        var again = paid[0];
        await tally.HandleAsync(new OrderPaid(new OrderFacts(again.Id, customer, again.Pricing.PayableFen, null, null, false, 0), again.Payment!.AmountFen, again.Payment.TransactionId, again.Payment.PaidAt) { OccurredAt = again.Payment.PaidAt }, null!, CancellationToken.None);
        var sold = await tally.DailyUnitsAsync(again.Lines[0].ProductId, new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 1), CancellationToken.None);
        Assert.Equal([2L], sold[again.Lines[0].SkuId]);

        time.SetUtcNow(At(12, 2, 3));
        var crashing = new CrashingInserts<ReplenishmentProductLines>(mall.Get<IDocumentCollection<ReplenishmentProductLines>>(), crashAfterInsert: 2);
        await Assert.ThrowsAsync<IOException>(() => Service(mall, crashing).RunAsync(CancellationToken.None));
        var resumed = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Service(mall).RunAsync(CancellationToken.None))));

        // Each product sold 2 yesterday, its first day: level 2, σ 0; lead time 4 → reorder point 4; review 14 → up to 18.
        // On hand 3 ≤ 4: order 15 each. Turnover: 6 sold over 3 × (3 + 2/2) = 12 on hand = 0.5.
        Assert.All(resumed, run => Assert.Equal(resumed[0], run with { MostUrgent = resumed[0].MostUrgent, HeldForPresales = resumed[0].HeldForPresales }));
        var done = resumed[0];
        Assert.NotNull(done.CompletedAt);
        Assert.Equal((3, 3, 3, 45L, 6L, (double?)0.5), (done.Products, done.Skus, done.ToReorder, done.UnitsToOrder, done.SoldLast30Days, done.TurnoverPerMonth()));
        Assert.Equal(paid.Select(o => o.Lines[0].SkuId).Order(), done.MostUrgent.Select(l => l.SkuId).Order());
        var report = await Service(mall).ReportAsync(null, 2, CancellationToken.None);
        var rest = await Service(mall).ReportAsync(report.ContinuationToken, 2, CancellationToken.None);
        Assert.Equal(3, report.Lines.Concat(rest.Lines).Select(l => l.SkuId).Distinct().Count());
        Assert.Null(rest.ContinuationToken);
    }

    /// <summary>A stored collection whose Nth insert is written and then fails, as if the process died right after the write.</summary>
    private sealed class CrashingInserts<T>(IDocumentCollection<T> inner, int crashAfterInsert) : IDocumentCollection<T>
        where T : class
    {
        private int inserts;

        public async Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
        {
            var stored = await inner.InsertAsync(key, value, events, cancellationToken);
            return Interlocked.Increment(ref inserts) == crashAfterInsert ? throw new IOException("the process died after the write") : stored;
        }

        public Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken) => inner.FindAsync(key, cancellationToken);

        public Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken) =>
            inner.ReplaceAsync(current, value, events, cancellationToken);

        public Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken) => inner.UpsertAsync(key, value, cancellationToken);

        public Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken) => inner.DeleteAsync(key, etag, cancellationToken);

        public Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            inner.QueryAsync(query, continuationToken, pageSize, cancellationToken);
    }
}
