using System.Collections.Concurrent;
using System.Net;
using Mall.Domain.Common;

namespace Mall.EndToEndTests.FlashSale;

/// <summary>A flash sale through the running mall: an operator schedules it, a crowd reserves over HTTP, a winner pays at WeChat.</summary>
[Collection(nameof(LocalMall))]
public sealed class FlashSaleJourneyTests(LocalMall mall)
{
    /// <summary>The latest daily slot (09:00, 15:00, 21:00 CST) at or before now: a sale created now at that slot is live at once.</summary>
    private static DateTimeOffset LatestSlot()
    {
        var now = ChinaTime.ToCst(DateTimeOffset.UtcNow);
        var slots = new[] { 21, 15, 9 }.Select(h => new DateTimeOffset(now.Year, now.Month, now.Day, h, 0, 0, ChinaTime.Offset));
        return slots.FirstOrDefault(s => s <= now, new DateTimeOffset(now.Year, now.Month, now.Day, 21, 0, 0, ChinaTime.Offset).AddDays(-1));
    }

    [Fact]
    public async Task A_crowd_reserving_over_http_gets_exactly_the_quantity_and_a_winner_pays_at_wechat()
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 9_900, stock: 40);
        using var admin = await mall.AdminAsync();
        var slot = LatestSlot();
        var minutesSinceSlot = (int)(DateTimeOffset.UtcNow - slot).TotalMinutes;
        var created = await admin.PostAsync("manage/flash-sales", new { skuId, priceFen = 3_900, quantity = 20, startsAt = slot, durationMinutes = minutesSinceSlot + 30 }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        var saleId = created.Body.GetProperty("sale").GetProperty("id").GetString()!;
        Assert.Equal(20, (await admin.GetAsync($"manage/products/{productId}")).Body.GetProperty("stock").GetProperty(skuId).GetInt64());

        var listed = await mall.Anonymous().GetAsync("flash-sales");
        Assert.Contains(listed.Body.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetString() == saleId && s.GetProperty("phase").GetString() == "live");

        // 60 customers, each trying twice at once with different keys: 120 attempts for 20 units.
        var customers = new List<ApiClient>();
        for (var i = 0; i < 60; i++)
        {
            customers.Add(await mall.NewCustomerAsync());
        }

        var outcomes = new ConcurrentBag<(ApiClient Customer, HttpStatusCode Status, string Code, string? OrderId)>();
        await Parallel.ForEachAsync(customers.SelectMany(c => new[] { c, c }), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (customer, _) =>
        {
            var answer = await customer.PostAsync($"flash-sales/{saleId}/reservations", new { address = LocalMall.Address() }, idempotencyKey: Guid.NewGuid().ToString());
            var code = answer.Body.TryGetProperty("code", out var c) ? c.GetString()! : string.Empty;
            outcomes.Add((customer, answer.Status, code, answer.Status == HttpStatusCode.Created ? answer.Body.GetProperty("id").GetString() : null));
        });

        var won = outcomes.Where(o => o.Status == HttpStatusCode.Created).ToList();
        var refusals = outcomes.Where(o => o.Status != HttpStatusCode.Created).GroupBy(o => $"{(int)o.Status} {o.Code}").ToDictionary(g => g.Key, g => g.Count());
        Assert.True(
            won.Count == 20 && won.Select(o => o.Customer).Distinct().Count() == 20
            && refusals.Keys.All(k => k is "409 FLASH_SALE_SOLD_OUT" or "409 FLASH_SALE_LIMIT_REACHED"),
            $"reserved {won.Count} by {won.Select(o => o.Customer).Distinct().Count()} customers; refusals: {string.Join(", ", refusals.Select(r => $"{r.Key} ×{r.Value}"))}");
        var sale = (await admin.GetAsync($"manage/flash-sales/{saleId}")).Body;
        Assert.Equal((20, 0), (sale.GetProperty("held").GetInt32(), sale.GetProperty("remaining").GetInt32()));

        // A winner pays its flash order at WeChat (the sandbox's signed notification) at the flash price.
        var (winner, _, _, orderId) = won[0];
        Assert.Equal(HttpStatusCode.OK, (await winner.PostAsync($"orders/{orderId}/pay", new { })).Status);
        await mall.Environment.Sandbox.PayAsync(orderId!);
        var paid = await LocalMall.WaitForOrderAsync(winner, orderId!, o => o.GetProperty("status").GetString() == "paid");
        Assert.Equal(3_900, paid.GetProperty("pricing").GetProperty("goodsFen").GetInt64());

        // Ended early: nothing was left to return; the 19 unpaid orders give their units back to normal stock when they expire.
        var ended = await admin.PostAsync($"manage/flash-sales/{saleId}/end", new { });
        Assert.True(ended.Status == HttpStatusCode.OK && ended.Body.GetProperty("sale").GetProperty("unsoldReturned").GetInt32() == 0, ended.Body.ToString());
        var late = await customers[^1].PostAsync($"flash-sales/{saleId}/reservations", new { address = LocalMall.Address() }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal("FLASH_SALE_ENDED", late.Body.GetProperty("code").GetString());

        foreach (var customer in customers)
        {
            customer.Dispose();
        }
    }

    [Fact]
    public async Task Bad_flash_sale_input_is_a_4xx_naming_the_field()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 9_900, stock: 5);
        using var admin = await mall.AdminAsync();
        var offSlot = await admin.PostAsync("manage/flash-sales", new { skuId, priceFen = 3_900, quantity = 2, startsAt = LatestSlot().AddDays(1).AddMinutes(7) }, idempotencyKey: Guid.NewGuid().ToString());
        var tooCheap = await admin.PostAsync("manage/flash-sales", new { skuId, priceFen = 0, quantity = 2, startsAt = LatestSlot().AddDays(1) }, idempotencyKey: Guid.NewGuid().ToString());
        var tooMany = await admin.PostAsync("manage/flash-sales", new { skuId, priceFen = 3_900, quantity = 6, startsAt = LatestSlot().AddDays(1) }, idempotencyKey: Guid.NewGuid().ToString());
        var noSale = await mall.Anonymous().GetAsync("flash-sales/FS20261301ABCDEFGHJKMN");
        var badDate = await admin.GetAsync("manage/flash-sales?from=yesterday");
        using var customer = await mall.NewCustomerAsync();
        var noAddress = await customer.PostAsync("flash-sales/FS20261202ABCDEFGHJKMN/reservations", new { }, idempotencyKey: Guid.NewGuid().ToString());

        Assert.True(offSlot.Status == HttpStatusCode.BadRequest && offSlot.Body.GetProperty("errors").TryGetProperty("startsAt", out _), offSlot.Body.ToString());
        Assert.True(tooCheap.Status == HttpStatusCode.BadRequest && tooCheap.Body.GetProperty("errors").TryGetProperty("priceFen", out _), tooCheap.Body.ToString());
        Assert.True(tooMany.Status == HttpStatusCode.Conflict && tooMany.Body.GetProperty("errors").TryGetProperty("quantity", out _), tooMany.Body.ToString());
        Assert.Equal(HttpStatusCode.NotFound, noSale.Status);
        Assert.True(badDate.Status == HttpStatusCode.BadRequest && badDate.Body.GetProperty("errors").TryGetProperty("from", out _), badDate.Body.ToString());
        Assert.True(noAddress.Status == HttpStatusCode.BadRequest && noAddress.Body.GetProperty("errors").TryGetProperty("address", out _), noAddress.Body.ToString());
    }
}
