using System.Collections.Concurrent;
using Mall.Application.FlashSale;
using Mall.Application.Orders;
using Mall.Domain.Common;
using Mall.Domain.FlashSale;

using static Mall.IntegrationTests.FlashSale.FlashShop;

namespace Mall.IntegrationTests.FlashSale;

/// <summary>Flash sales against real Azurite: exactly the quantity sold under a race, units that come back, and a close that happens once.</summary>
public sealed class FlashSaleTests
{
    [Fact]
    public async Task Three_hundred_concurrent_attempts_on_fifty_units_sell_exactly_fifty_at_most_one_per_customer()
    {
        var (mall, time, skuId, productId) = await ShopAsync(200);
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 50)).Sale;
        Assert.Equal(150, await StockAsync(mall, productId, skuId));
        var customers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => mall.NewCustomerAsync()));
        time.SetUtcNow(Nine.AddSeconds(1));
        var flash = mall.Get<FlashSaleService>();

        // 200 customers, the first 100 of them trying twice with different keys: 300 attempts at once.
        var attempts = customers.Select((c, i) => (Customer: c, Key: $"try-1-{i:D4}")).Concat(customers.Take(100).Select((c, i) => (Customer: c, Key: $"try-2-{i:D4}"))).ToList();
        var outcomes = new ConcurrentBag<(string Customer, string Outcome)>();
        await Parallel.ForEachAsync(attempts, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (a, ct) =>
            outcomes.Add((a.Customer, await OutcomeAsync(() => flash.ReserveAsync(a.Customer, a.Key, Reservation, sale.Id, ct)))));

        var orders = outcomes.Where(o => o.Outcome.StartsWith('O')).ToList();
        var refusals = outcomes.Where(o => !o.Outcome.StartsWith('O')).GroupBy(o => o.Outcome).ToDictionary(g => g.Key, g => g.Count());
        var view = await flash.GetForAdminAsync(sale.Id, CancellationToken.None);
        var (_, held, twice) = await mall.Get<FlashStock>().FiguresAsync(sale, CancellationToken.None);
        Assert.True(
            orders.Count == 50 && orders.Select(o => o.Customer).Distinct().Count() == 50 && held == 50 && twice == 0 && view.Remaining == 0
            && refusals.Keys.All(k => k is nameof(ErrorCode.FlashSaleSoldOut) or nameof(ErrorCode.FlashSaleLimitReached)),
            $"orders {orders.Count} ({orders.Select(o => o.Customer).Distinct().Count()} customers), units held {held} (orders holding two: {twice}), remaining {view.Remaining}; refusals: {string.Join(", ", refusals.Select(r => $"{r.Key} {r.Value}"))}");
        Assert.Equal(150, await StockAsync(mall, productId, skuId));
    }

    [Fact]
    public async Task Concurrent_retries_of_one_reservation_create_one_order_holding_one_unit()
    {
        var (mall, time, skuId, _) = await ShopAsync(50);
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 20, limit: 3)).Sale;
        var customer = await mall.NewCustomerAsync();
        time.SetUtcNow(Nine.AddSeconds(1));
        var flash = mall.Get<FlashSaleService>();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => OutcomeAsync(() => flash.ReserveAsync(customer, "same-key-0001", Reservation, sale.Id, CancellationToken.None)))));

        var (_, held, twice) = await mall.Get<FlashStock>().FiguresAsync(sale, CancellationToken.None);
        Assert.True(results.Distinct().Count() == 1 && results[0].StartsWith('O') && held == 1 && twice == 0, $"outcomes {string.Join(", ", results.Distinct())}; units held {held}, orders holding two {twice}");
    }

    [Fact]
    public async Task An_unpaid_flash_order_gives_its_unit_back_after_five_minutes_and_it_sells_again()
    {
        var (mall, time, skuId, _) = await ShopAsync(10);
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 1)).Sale;
        var first = await mall.NewCustomerAsync();
        var second = await mall.NewCustomerAsync();
        time.SetUtcNow(Nine.AddSeconds(1));
        var flash = mall.Get<FlashSaleService>();
        var order = (await flash.ReserveAsync(first, "first-0001", Reservation, sale.Id, CancellationToken.None)).Order;
        Assert.Equal(time.GetUtcNow().AddMinutes(5), order.ExpiresAt);
        Assert.Equal(nameof(ErrorCode.FlashSaleSoldOut), await OutcomeAsync(() => flash.ReserveAsync(second, "second-0001", Reservation, sale.Id, CancellationToken.None)));

        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(2));
        await mall.Get<OrderService>().HandleExpiryAsync(order.Id, CancellationToken.None);
        await mall.Get<OrderService>().HandleExpiryAsync(order.Id, CancellationToken.None);

        var again = await OutcomeAsync(() => flash.ReserveAsync(second, "second-0002", Reservation, sale.Id, CancellationToken.None));
        Assert.StartsWith("O", again);
        var (_, held, _) = await mall.Get<FlashStock>().FiguresAsync(sale, CancellationToken.None);
        Assert.Equal(1, held);
    }

    /// <summary>Benchmark review: the settings were bound from a section named after the type (FlashSaleSession), so FlashSale:* was ignored.</summary>
    [Fact]
    public async Task The_flash_sale_settings_are_read_from_the_FlashSale_section()
    {
        var (mall, time, skuId, _) = await ShopAsync(10, new Dictionary<string, string?> { ["FlashSale:UnpaidMinutes"] = "7", ["FlashSale:Slots:0"] = "09:30" });
        await using var _ = mall;
        var sale = (await mall.Get<FlashSaleService>().CreateAsync("slot-0930", new FlashSaleRequest { SkuId = skuId, PriceFen = 3_900, Quantity = 2, StartsAt = Nine.AddMinutes(30), DurationMinutes = 30 }, CancellationToken.None)).Sale;
        var customer = await mall.NewCustomerAsync();
        time.SetUtcNow(Nine.AddMinutes(31));

        var order = (await mall.Get<FlashSaleService>().ReserveAsync(customer, "key-00001", Reservation, sale.Id, CancellationToken.None)).Order;

        Assert.Equal(time.GetUtcNow().AddMinutes(7), order.ExpiresAt);
    }

    [Fact]
    public async Task Closing_returns_the_unsold_units_once_and_units_of_orders_that_expire_later_go_to_normal_stock()
    {
        var (mall, time, skuId, productId) = await ShopAsync(100);
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 10)).Sale;
        var buyers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => mall.NewCustomerAsync()));
        time.SetUtcNow(Nine.AddMinutes(58));
        var flash = mall.Get<FlashSaleService>();
        var orders = new List<OrderView>();
        foreach (var buyer in buyers)
        {
            orders.Add((await flash.ReserveAsync(buyer, "buy-00001", Reservation, sale.Id, CancellationToken.None)).Order);
        }

        await mall.PayAsync(buyers[0], orders[0].Id);

        // The end's due work runs late, twice at once (two timer instances after downtime).
        time.SetUtcNow(Nine.AddMinutes(61));
        await Task.WhenAll(Task.Run(() => flash.HandleCloseAsync(sale.Id, CancellationToken.None)), Task.Run(() => flash.HandleCloseAsync(sale.Id, CancellationToken.None)));
        Assert.Equal(97, await StockAsync(mall, productId, skuId));
        Assert.Equal(nameof(ErrorCode.FlashSaleEnded), await OutcomeAsync(() => flash.ReserveAsync(buyers[0], "late-0001", Reservation, sale.Id, CancellationToken.None)));

        // The two unpaid orders expire after the end: their units go to normal stock, once.
        time.Advance(TimeSpan.FromMinutes(5));
        foreach (var order in orders.Skip(1))
        {
            await mall.Get<OrderService>().HandleExpiryAsync(order.Id, CancellationToken.None);
            await mall.Get<OrderService>().HandleExpiryAsync(order.Id, CancellationToken.None);
        }

        await flash.HandleCloseAsync(sale.Id, CancellationToken.None);
        var closed = await flash.GetForAdminAsync(sale.Id, CancellationToken.None);
        Assert.True(await StockAsync(mall, productId, skuId) == 99 && closed.Sale.Status == FlashSaleStatus.Ended && closed.Sale.UnsoldReturned == 7 && closed.Held == 1,
            $"stock {await StockAsync(mall, productId, skuId)} (expected 99 = 100 − 1 sold), status {closed.Sale.Status}, unsold returned {closed.Sale.UnsoldReturned}, held {closed.Held}");
    }

    [Fact]
    public async Task A_sale_is_created_once_per_key_and_refused_when_invalid()
    {
        var (mall, time, skuId, productId) = await ShopAsync(30);
        await using var _ = mall;
        var flash = mall.Get<FlashSaleService>();
        var created = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ScheduleAsync(mall, skuId, 20))));
        Assert.Single(created.Select(c => c.Sale.Id).Distinct());
        Assert.Equal(10, await StockAsync(mall, productId, skuId));

        async Task<DomainException> RefusedAsync(FlashSaleRequest request, string key) =>
            await Assert.ThrowsAsync<DomainException>(() => flash.CreateAsync(key, request, CancellationToken.None));

        var offSlot = await RefusedAsync(new FlashSaleRequest { SkuId = skuId, PriceFen = 3_900, Quantity = 5, StartsAt = Nine.AddMinutes(30), DurationMinutes = 60 }, "k-offslot");
        Assert.Contains("startsAt", offSlot.FieldErrors!.Keys);
        var notCheaper = await RefusedAsync(new FlashSaleRequest { SkuId = skuId, PriceFen = 10_000, Quantity = 5, StartsAt = Nine.AddHours(6), DurationMinutes = 60 }, "k-price");
        Assert.Contains("priceFen", notCheaper.FieldErrors!.Keys);
        var overlapping = await RefusedAsync(new FlashSaleRequest { SkuId = skuId, PriceFen = 3_900, Quantity = 5, StartsAt = Nine, DurationMinutes = 30 }, "k-overlap");
        Assert.Equal(ErrorCode.Conflict, overlapping.Code);
        var tooMany = await RefusedAsync(new FlashSaleRequest { SkuId = skuId, PriceFen = 3_900, Quantity = 11, StartsAt = Nine.AddHours(6), DurationMinutes = 60 }, "k-stock");
        Assert.True(tooMany.Code == ErrorCode.OutOfStock && tooMany.FieldErrors!.ContainsKey("quantity"), $"{tooMany.Code}: {tooMany.Message}");
        var reused = await RefusedAsync(new FlashSaleRequest { SkuId = skuId, PriceFen = 3_800, Quantity = 20, StartsAt = Nine, DurationMinutes = 60 }, "sale-0001");
        Assert.Equal(ErrorCode.IdempotencyKeyReused, reused.Code);
        Assert.Equal(10, await StockAsync(mall, productId, skuId));

        // Cancelled before it starts: all 20 units go back, once; the slot is free again.
        var cancelled = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => flash.CancelAsync(created[0].Sale.Id, CancellationToken.None))));
        Assert.True(cancelled.All(c => c.Sale.Status == FlashSaleStatus.Cancelled) && await StockAsync(mall, productId, skuId) == 30, $"stock {await StockAsync(mall, productId, skuId)}");
        var second = await ScheduleAsync(mall, skuId, 5, key: "sale-0002");
        time.SetUtcNow(Nine.AddSeconds(1));
        Assert.Equal(ErrorCode.InvalidOrderState, (await Assert.ThrowsAsync<DomainException>(() => flash.CancelAsync(second.Sale.Id, CancellationToken.None))).Code);
    }

    [Fact]
    public async Task Reservations_answer_not_started_limit_reached_and_the_rate_limit_with_stable_codes()
    {
        var (mall, time, skuId, _) = await ShopAsync(100);
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 50)).Sale;
        var customer = await mall.NewCustomerAsync();
        var flash = mall.Get<FlashSaleService>();
        Assert.Equal(nameof(ErrorCode.FlashSaleNotStarted), await OutcomeAsync(() => flash.ReserveAsync(customer, "early-0001", Reservation, sale.Id, CancellationToken.None)));

        time.SetUtcNow(Nine.AddSeconds(1));
        Assert.StartsWith("O", await OutcomeAsync(() => flash.ReserveAsync(customer, "buy-00001", Reservation, sale.Id, CancellationToken.None)));
        Assert.Equal(nameof(ErrorCode.FlashSaleLimitReached), await OutcomeAsync(() => flash.ReserveAsync(customer, "buy-00002", Reservation, sale.Id, CancellationToken.None)));
        var outcomes = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            outcomes.Add(await OutcomeAsync(() => flash.ReserveAsync(customer, $"again-{i:D4}", Reservation, sale.Id, CancellationToken.None)));
        }

        Assert.Contains(nameof(ErrorCode.TooManyRequests), outcomes);
    }
}
