using Mall.Application.Analytics;
using Mall.Domain.Analytics;
using Mall.Domain.Common;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Analytics;

/// <summary>The event ledger on real Azurite: exact under racing writers, each event once, late events still counted.</summary>
public sealed class EventLedgerTests
{
    /// <summary>2026-12-01 10:20 CST (02:20 UTC).</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 20, 0, TimeSpan.Zero);

    private static EventBatchRequest Batch(string deviceId, params EventInput[] events) => new(deviceId, events);

    private static EventInput Event(string id, string type, DateTimeOffset at, string? productId = null) => new(id, type, at, productId, null);

    [Fact]
    public async Task Concurrent_writers_lose_no_event_and_a_resent_batch_counts_once()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        var ingestion = mall.Get<EventIngestion>();
        var at = Now.AddMinutes(-10);

        // 40 visitors, each sending 3 batches of 10 events at once, every batch sent twice concurrently:
        // 240 requests racing on 16 shards, one of them (the first visitor) racing on its own markers.
        var batches = Enumerable.Range(0, 40).SelectMany(visitor => Enumerable.Range(0, 3).Select(batch => Batch(
            $"dev-{visitor}",
            [.. Enumerable.Range(0, 10).Select(n => Event($"e-{visitor}-{batch}-{n}", n % 2 == 0 ? "page_view" : "product_view", at.AddSeconds(n), "P1"))]))).ToList();
        var results = await Task.WhenAll(batches.Concat(batches).Select(b => Task.Run(() => ingestion.RecordAsync(null, b, CancellationToken.None))));

        Assert.Equal(1_200, results.Sum(r => r.Accepted));
        Assert.Equal(1_200, results.Sum(r => r.Duplicates));
        var hour = await mall.Get<IEventLedger>().FoldHourAsync(LedgerKeys.HourOf(at), CancellationToken.None);
        Assert.Equal((600L, 600L, 40L), (hour.Count(TrackedEvent.PageView), hour.Count(TrackedEvent.ProductView), hour.Visitors));
        Assert.Equal(40, await mall.Get<IEventLedger>().CountVisitorsAsync(ChinaTime.DateOf(at), CancellationToken.None));
    }

    [Fact]
    public async Task A_bad_event_is_reported_by_index_and_the_good_ones_are_kept()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        var ingestion = mall.Get<EventIngestion>();

        var result = await ingestion.RecordAsync(null, Batch(
            "dev-1",
            Event("ok-1", "page_view", Now),
            Event("bad type", "page_view", Now),
            Event("ok-2", "teleport", Now),
            Event("ok-3", "page_view", Now.AddDays(-3)),
            Event("ok-4", "product_view", Now),
            Event("ok-5", "experiment_exposure", Now),
            Event("ok-1", "page_view", Now)), CancellationToken.None);

        Assert.Equal(1, result.Accepted);
        Assert.Equal(1, result.Duplicates);
        Assert.Equal(
            ["events[1].id", "events[2].type", "events[3].occurredAt", "events[4].productId", "events[5].experimentId"],
            result.Rejected.Select(r => r.Field));
        Assert.Equal([1, 2, 3, 4, 5], result.Rejected.Select(r => r.Index));
        var err = await Assert.ThrowsAsync<DomainException>(() => ingestion.RecordAsync(null, Batch("no good!", Event("x", "page_view", Now)), CancellationToken.None));
        Assert.Equal("deviceId", Assert.Single(err.FieldErrors!).Key);
    }

    [Fact]
    public async Task An_event_arriving_after_its_hour_was_summarised_makes_the_summary_stale_until_it_is_folded_again()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        var ingestion = mall.Get<EventIngestion>();
        var figures = mall.Get<AnalyticsFigures>();
        var hour = LedgerKeys.HourOf(Now);
        await ingestion.RecordAsync(null, Batch("dev-1", Event("on-time", "page_view", Now)), CancellationToken.None);

        time.Advance(TimeSpan.FromHours(1));
        await figures.CloseAsync(CancellationToken.None);
        await ingestion.RecordAsync(null, Batch("dev-2", Event("late", "page_view", Now.AddMinutes(5))), CancellationToken.None);

        var read = await figures.HoursAsync(hour, hour, CancellationToken.None);
        Assert.Equal((2L, 2L), (read[0].Tally.Count(TrackedEvent.PageView), read[0].Tally.Visitors));
        Assert.Equal(1, await figures.CloseAsync(CancellationToken.None));
        Assert.Equal(0, await figures.CloseAsync(CancellationToken.None));
        Assert.Equal(2L, (await figures.HoursAsync(hour, hour, CancellationToken.None))[0].Tally.Count(TrackedEvent.PageView));
    }

    [Fact]
    public async Task The_malls_own_payments_and_registrations_feed_the_figures_once_each()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        var product = await mall.CreateProductAsync(2_500, null, 10);
        var customerId = await mall.NewCustomerAsync();
        var order = await mall.Get<Mall.Application.Orders.CheckoutService>().CreateAsync(customerId, "analytics-order-1", MallFixture.Buy(product.Skus[0].Id, 2), CancellationToken.None);
        await mall.PayAsync(customerId, order.Order.Id);
        await mall.Events.DrainAsync();
        await mall.Events.DrainAsync();

        var day = await mall.Get<AnalyticsFigures>().DayAsync(ChinaTime.DateOf(Now), CancellationToken.None);
        Assert.Equal((1L, order.Order.Pricing.PayableFen, 1L), (day.Count(TrackedEvent.OrderPaid), day.GmvFen, day.Count(TrackedEvent.CustomerRegistered)));
    }
}
