using System.Collections.Concurrent;
using System.Text.Json;
using Mall.Testing;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;

namespace Mall.Soak;

/// <summary>
/// The mixed workload: virtual customers buying, paying (with duplicate, lost and late notifications),
/// cancelling, asking for refunds, joining group buys, paying presales and reserving in flash sales, and
/// one operator approving refunds, shipping, adjusting stock and running flash sales. What the clients asked is only counted: the checks read the
/// mall's own state afterwards.
/// </summary>
public sealed class SoakWorkload(SoakMall mall, SoakCatalog catalog, SoakStats stats, SoakOptions options)
{
    /// <summary>Near the end no order is left for a timer to find (expiry, 查单), so the end phase need not wait a minute for it.</summary>
    private static readonly TimeSpan LooseEndsStopBefore = TimeSpan.FromSeconds(30);

    private static readonly object Address = SampleAddress.Body;

    private readonly ConcurrentQueue<string> openGroups = new();
    private readonly ConcurrentQueue<PendingBalance> pendingBalances = new();

    /// <summary>Flash sales the operator means to end early, and when.</summary>
    private readonly Dictionary<string, DateTimeOffset> flashEarlyEnds = new(StringComparer.Ordinal);
    private int customers;
    private DateTimeOffset endsAt;

    public async Task RunAsync(CancellationToken stop)
    {
        endsAt = DateTimeOffset.UtcNow + options.Duration;
        var workers = Enumerable.Range(1, options.Workers).Select(worker => CustomerLoopAsync(new Random(options.Seed + worker), stop)).ToList();
        workers.Add(OperatorLoopAsync(new Random(options.Seed - 1), stop));
        await Task.WhenAll(workers);
    }

    private bool MayLeaveLooseEnds => DateTimeOffset.UtcNow < endsAt - LooseEndsStopBefore;

    private async Task CustomerLoopAsync(Random random, CancellationToken stop)
    {
        SoakCustomer? customer = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // A customer does a few journeys, so per-customer figures (paid orders, spend, points) add up over several orders.
                // Not disposed when replaced: a presale balance may still be paid through it later.
                if (customer is null || customer.Journeys >= 3)
                {
                    var number = Interlocked.Increment(ref customers);
                    customer = await SoakCustomer.LoginAsync(mall, stats, $"soak{options.Seed}-{number}", number, random.NextDouble() < 0.3 ? catalog.InviteCode : null, stop);
                    stats.Done("login");
                }

                customer.Journeys++;
                await JourneyAsync(customer, random, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (SoakRequestException exception)
            {
                stats.Error("gave up: " + exception.Message[..Math.Min(60, exception.Message.Length)]);
            }
        }
    }

    private Task JourneyAsync(SoakCustomer customer, Random random, CancellationToken stop)
    {
        // While a flash sale runs, a quarter of the journeys go for it (with six workers, a burst at each sale's start).
        var live = catalog.LiveFlashSales(DateTimeOffset.UtcNow);
        if (random.Next(100) < 25 && live.Count > 0)
        {
            return FlashAsync(customer, live[random.Next(live.Count)], random, stop);
        }

        var roll = random.Next(100);
        return roll switch
        {
            < 40 => BuyAsync(customer, random, stop),
            < 50 => CancelUnpaidAsync(customer, random, stop),
            < 55 when MayLeaveLooseEnds => AbandonAsync(customer, random, stop),
            < 62 when MayLeaveLooseEnds => PayAfterCancelAsync(customer, stop),
            < 77 => GroupBuyAsync(customer, random, stop),
            < 87 => ReservePresaleAsync(customer, random, stop),
            < 97 when !pendingBalances.IsEmpty => PayBalanceAsync(random, stop),
            _ => BuyAsync(customer, random, stop),
        };
    }

    /// <summary>Order, pay, and perhaps a refund of some units or of everything, and a notification that comes again late.</summary>
    private async Task BuyAsync(SoakCustomer customer, Random random, CancellationToken stop)
    {
        var lines = catalog.Plain.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Select(sku => new { skuId = sku.SkuId, quantity = random.Next(1, 4) }).ToArray();
        var orderId = random.NextDouble() < 0.3 ? await CheckoutCartAsync(customer, lines, stop) : await PlaceAsync(customer, new { items = lines, address = Address }, stop);
        if (orderId is null || !await PrepayAsync(customer, orderId, stop))
        {
            return;
        }

        var lost = MayLeaveLooseEnds && random.NextDouble() < 0.1;
        await PayAtWeChatAsync(orderId, new SandboxPayOptions { Notify = !lost, Duplicate = random.NextDouble() < 0.3 });
        stats.Done(lost ? "pay (notification lost)" : "pay");
        if (lost || await WaitForOrderAsync(customer, orderId, o => Status(o) != "pendingPayment", stop) is not { } paid || Status(paid) != "paid")
        {
            return;
        }

        var followUp = random.NextDouble();
        if (followUp < 0.45)
        {
            // WeChat sometimes refuses a refund it means to be retried: the mall must resubmit it, once.
            if (random.NextDouble() < 0.3)
            {
                mall.Sandbox.RefuseRefunds(orderId, SandboxRefundRefusal.SystemError);
            }

            var partial = followUp < 0.25;
            var line = paid.GetProperty("lines").EnumerateArray().OrderBy(_ => random.Next()).First();
            object request = partial
                ? new { reason = "买多了", items = new[] { new { skuId = line.GetProperty("skuId").GetString(), quantity = 1 } } }
                : new { reason = "不要了" };
            var refund = await customer.Client.PostAsync($"orders/{orderId}/refunds", request, stop);
            Count(refund, partial ? "refund (partial)" : "refund (full)");
            if (random.NextDouble() < 0.3)
            {
                // Long after, WeChat delivers the payment notification again.
                await WaitForOrderAsync(customer, orderId, o => o.GetProperty("refunds").EnumerateArray().All(r => Refund(r) is not ("requested" or "approved" or "processing")), stop);
                await SendPaymentNotificationAgainAsync(orderId, stop);
            }
        }
        else if (followUp < 0.6)
        {
            await SendPaymentNotificationAgainAsync(orderId, stop);
        }
    }

    private async Task<string?> CheckoutCartAsync(SoakCustomer customer, IEnumerable<object> lines, CancellationToken stop)
    {
        foreach (var line in lines)
        {
            Count(await customer.Client.PostAsync("cart/items", line, stop), "cart");
        }

        return await PlaceAsync(customer, new { fromCart = true, address = Address }, stop);
    }

    private async Task CancelUnpaidAsync(SoakCustomer customer, Random random, CancellationToken stop)
    {
        var orderId = await PlaceAsync(customer, new { items = new[] { new { skuId = Pick(random).SkuId, quantity = random.Next(1, 3) } }, address = Address }, stop);
        if (orderId is null || (random.NextDouble() < 0.7 && !await PrepayAsync(customer, orderId, stop)))
        {
            return;
        }

        Count(await customer.Client.PostAsync($"orders/{orderId}/cancel", new { }, stop), "cancel");
    }

    /// <summary>An order left unpaid: the expiry timer closes it and gives its units back.</summary>
    private async Task AbandonAsync(SoakCustomer customer, Random random, CancellationToken stop)
    {
        var orderId = await PlaceAsync(customer, new { items = new[] { new { skuId = Pick(random).SkuId, quantity = 1 } }, address = Address }, stop);
        if (orderId is not null && random.NextDouble() < 0.5)
        {
            await PrepayAsync(customer, orderId, stop);
        }

        stats.Done("abandon");
    }

    /// <summary>
    /// The customer pays in WeChat while the mall cancels: the notification comes after the cancel, so
    /// the mall must either keep the payment (its close found it paid) or refund it automatically.
    /// </summary>
    private async Task PayAfterCancelAsync(SoakCustomer customer, CancellationToken stop)
    {
        var orderId = await PlaceAsync(customer, new { items = new[] { new { skuId = catalog.Plain[0].SkuId, quantity = 1 } }, address = Address }, stop);
        if (orderId is null || !await PrepayAsync(customer, orderId, stop))
        {
            return;
        }

        await PayAtWeChatAsync(orderId, new SandboxPayOptions { Notify = false });
        Count(await customer.Client.PostAsync($"orders/{orderId}/cancel", new { }, stop), "cancel after paying");
        await SendPaymentNotificationAgainAsync(orderId, stop);
    }

    private async Task GroupBuyAsync(SoakCustomer customer, Random random, CancellationToken stop)
    {
        string orderId;
        if (random.NextDouble() < 0.6 && openGroups.TryDequeue(out var groupId))
        {
            var joined = await customer.Client.PostAsync($"group-buys/{groupId}/join", new { address = Address }, stop);
            if (!Count(joined, "group join"))
            {
                return;
            }

            orderId = joined.Id("order");
        }
        else
        {
            var opened = await customer.Client.PostAsync("group-buys", new { campaignId = catalog.GroupCampaignId, address = Address }, stop, Guid.NewGuid().ToString());
            if (!Count(opened, "group open"))
            {
                return;
            }

            orderId = opened.Id("order");

            // Some groups nobody joins: they fail at their deadline and refund the leader.
            if (random.NextDouble() < 0.7)
            {
                openGroups.Enqueue(opened.Id("group"));
            }
        }

        if (await PrepayAsync(customer, orderId, stop))
        {
            await PayAtWeChatAsync(orderId, new SandboxPayOptions { Duplicate = random.NextDouble() < 0.3 });
            stats.Done("pay (group)");
        }
    }

    private async Task ReservePresaleAsync(SoakCustomer customer, Random random, CancellationToken stop)
    {
        if (catalog.OpenPresale(DateTimeOffset.UtcNow) is not { } presale)
        {
            await BuyAsync(customer, random, stop);
            return;
        }

        var reserved = await customer.Client.PostAsync("presales", new { campaignId = presale.CampaignId, address = Address }, stop, Guid.NewGuid().ToString());
        if (!Count(reserved, "presale reserve"))
        {
            return;
        }

        var depositOrderId = reserved.Id("order");
        if (!await PrepayAsync(customer, depositOrderId, stop))
        {
            return;
        }

        await PayAtWeChatAsync(depositOrderId, new SandboxPayOptions { Duplicate = random.NextDouble() < 0.3 });
        stats.Done("pay (deposit)");

        // Most pay the balance; the others forfeit the deposit (or get it back, if the campaign says so).
        if (random.NextDouble() < 0.7)
        {
            pendingBalances.Enqueue(new PendingBalance(customer, reserved.Id("presale"), presale));
        }
    }

    private async Task PayBalanceAsync(Random random, CancellationToken stop)
    {
        if (!pendingBalances.TryDequeue(out var pending))
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        if (now < pending.Window.DepositEndsAt)
        {
            pendingBalances.Enqueue(pending);
            return;
        }

        if (now >= pending.Window.BalanceEndsAt.AddSeconds(-3))
        {
            return;
        }

        var balance = await pending.Customer.Client.PostAsync($"presales/{pending.ReservationId}/balance", new { address = Address }, stop);
        if (!Count(balance, "presale balance"))
        {
            return;
        }

        var orderId = balance.Id("order");
        if (await PrepayAsync(pending.Customer, orderId, stop))
        {
            await PayAtWeChatAsync(orderId, new SandboxPayOptions { Duplicate = random.NextDouble() < 0.3 });
            stats.Done("pay (balance)");
            if (random.NextDouble() < 0.2 && await WaitForOrderAsync(pending.Customer, orderId, o => Status(o) == "paid", stop) is not null)
            {
                // Refunding the balance undoes the presale: the deposit comes back too.
                Count(await pending.Customer.Client.PostAsync($"orders/{orderId}/refunds", new { reason = "不要了" }, stop), "refund (balance)");
            }
        }
    }

    /// <summary>
    /// A flash reservation, as a mini-program sends it: sometimes twice at once with the same key (a double
    /// tap, a retry while the first still runs), sometimes a second one with a new key (the per-customer
    /// limit), sometimes again later with the same key (its answer was lost). Each order got is then paid
    /// (most), cancelled or abandoned to its expiry; some paid ones are refunded in full (the unit goes to
    /// normal stock).
    /// </summary>
    private async Task FlashAsync(SoakCustomer customer, FlashWindow sale, Random random, CancellationToken stop)
    {
        var key = Guid.NewGuid().ToString();
        var keys = new List<string> { key };
        if (random.NextDouble() < 0.3)
        {
            keys.Add(key);
        }

        if (random.NextDouble() < 0.3)
        {
            keys.Add(Guid.NewGuid().ToString());
        }

        var retryLater = random.NextDouble() < 0.2;
        var answers = (await Task.WhenAll(keys.Select(k => customer.Client.PostAsync($"flash-sales/{sale.SaleId}/reservations", new { address = Address }, stop, k)))).ToList();
        if (retryLater)
        {
            await Task.Delay(random.Next(200, 2000), stop);
            answers.Add(await customer.Client.PostAsync($"flash-sales/{sale.SaleId}/reservations", new { address = Address }, stop, key));
        }

        var orders = new List<string>();
        foreach (var answer in answers)
        {
            if (Count(answer, "flash reserve") && !orders.Contains(answer.Id()))
            {
                orders.Add(answer.Id());
            }
        }

        foreach (var orderId in orders)
        {
            var roll = random.NextDouble();
            if (roll < 0.7 || (roll >= 0.85 && !MayLeaveLooseEnds))
            {
                if (!await PrepayAsync(customer, orderId, stop))
                {
                    continue;
                }

                await PayAtWeChatAsync(orderId, new SandboxPayOptions { Duplicate = random.NextDouble() < 0.3 });
                stats.Done("pay (flash)");
                if (random.NextDouble() < 0.25 && await WaitForOrderAsync(customer, orderId, o => Status(o) != "pendingPayment", stop) is { } paid && Status(paid) == "paid")
                {
                    Count(await customer.Client.PostAsync($"orders/{orderId}/refunds", new { reason = "不要了" }, stop), "refund (flash)");
                }
            }
            else if (roll < 0.85)
            {
                if (random.NextDouble() < 0.5)
                {
                    await PrepayAsync(customer, orderId, stop);
                }

                Count(await customer.Client.PostAsync($"orders/{orderId}/cancel", new { }, stop), "cancel (flash)");
            }
            else
            {
                // Left unpaid: its expiry gives the unit back, to the sale while it runs, to normal stock after.
                stats.Done("abandon (flash)");
            }
        }
    }

    /// <summary>The operator: decides refund requests, ships paid orders, adjusts stock (each adjustment retried with its key).</summary>
    private async Task OperatorLoopAsync(Random random, CancellationToken stop)
    {
        try
        {
            using var admin = await mall.OperatorAsync(stats, stop);
            var rounds = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await DecideRefundsAsync(admin, random, stop);
                    var paid = await admin.GetAsync("manage/orders?status=paid&pageSize=50", stop);
                    foreach (var order in paid.Ok ? paid.Body.GetProperty("items").EnumerateArray().Where(_ => random.NextDouble() < 0.4).ToList() : [])
                    {
                        var orderId = order.GetProperty("id").GetString();
                        Count(await admin.PostAsync($"manage/orders/{orderId}/ship", new { carrier = "SF", trackingNumber = $"SF{random.NextInt64(1_000_000_000, 9_999_999_999)}" }, stop), "ship");
                    }

                    if (++rounds % 3 == 0)
                    {
                        await AdjustStockAsync(admin, random, stop);
                    }

                    await RotateFlashSalesAsync(admin, random, stop);
                    if (catalog.LatestPresale is { } latest && latest.DepositEndsAt <= DateTimeOffset.UtcNow)
                    {
                        await catalog.OpenNextPresaleAsync(admin, refundable: !latest.Refundable, stop);
                        stats.Done("presale campaign");
                    }

                    await Task.Delay(random.Next(300, 1000), stop);
                }
                catch (SoakRequestException exception)
                {
                    stats.Error("gave up: " + exception.Message[..Math.Min(60, exception.Message.Length)]);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The workload is over.
        }
    }

    /// <summary>
    /// Flash sales one after another on each flash SKU: when none runs, a new one in the current minute's
    /// slot if 20 s or more of it are left (so 20–60 s long), 5–20 units, 1 or 2 per customer, its creation
    /// sent twice with the same key 30 % of the time; 40 % are ended early, 10 s or more after they start.
    /// </summary>
    private async Task RotateFlashSalesAsync(MallClient admin, Random random, CancellationToken stop)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var sku in catalog.FlashSkus)
        {
            if (catalog.LiveFlashSale(sku, now) is { } live)
            {
                if (flashEarlyEnds.TryGetValue(live.SaleId, out var endAt) && now >= endAt)
                {
                    flashEarlyEnds.Remove(live.SaleId);
                    if (Count(await admin.PostAsync($"manage/flash-sales/{live.SaleId}/end", new { }, stop), "flash sale end early"))
                    {
                        catalog.FlashSaleEndedEarly(live.SaleId);
                    }
                }
                else if (random.NextDouble() < 0.1)
                {
                    Count(await admin.GetAsync($"manage/flash-sales/{live.SaleId}", stop), "flash sale view");
                }

                continue;
            }

            var startsAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
            if (!MayLeaveLooseEnds || startsAt.AddMinutes(1) - now < TimeSpan.FromSeconds(20))
            {
                continue;
            }

            var key = Guid.NewGuid().ToString();
            var request = new { skuId = sku.SkuId, priceFen = sku.PriceFen * 6 / 10, quantity = random.Next(5, 21), perCustomerLimit = random.NextDouble() < 0.6 ? 1 : 2, startsAt, durationMinutes = 1 };
            var created = await admin.PostAsync("manage/flash-sales", request, stop, key);
            if (!Count(created, "flash sale"))
            {
                continue;
            }

            var sale = created.Body.GetProperty("sale");
            var window = new FlashWindow(sale.GetProperty("id").GetString()!, sku.SkuId, request.quantity, request.perCustomerLimit, startsAt, sale.GetProperty("endsAt").GetDateTimeOffset());
            catalog.AddFlashSale(window);
            if (random.NextDouble() < 0.4)
            {
                flashEarlyEnds[window.SaleId] = now.AddSeconds(10 + (random.NextDouble() * Math.Max(0, (window.EndsAt - now).TotalSeconds - 15)));
            }

            // The console sends it again (a double click, a retry after a timeout): the same sale.
            if (random.NextDouble() < 0.3)
            {
                var again = await admin.PostAsync("manage/flash-sales", request, stop, key);
                if (Count(again, "flash sale (repeat)") && again.Body.GetProperty("sale").GetProperty("id").GetString() != window.SaleId)
                {
                    stats.Error("flash sale (repeat): another sale for the same key");
                }
            }
        }
    }

    /// <summary>Approves most requested refunds and rejects some (<paramref name="random"/> null: approves them all).</summary>
    public async Task DecideRefundsAsync(MallClient admin, Random? random, CancellationToken stop)
    {
        var requested = await admin.GetAsync("manage/refunds?status=requested&pageSize=100", stop);
        foreach (var item in requested.Ok ? requested.Body.GetProperty("items").EnumerateArray().ToList() : [])
        {
            var (orderId, refundId) = (item.GetProperty("orderId").GetString(), item.GetProperty("refund").GetProperty("id").GetString());
            var reject = random is not null && random.NextDouble() < 0.15;
            Count(await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/{(reject ? "reject" : "approve")}", new { note = "soak" }, stop), reject ? "refund reject" : "refund approve");
        }
    }

    private async Task AdjustStockAsync(MallClient admin, Random random, CancellationToken stop)
    {
        var sku = catalog.AllSkus.ElementAt(random.Next(catalog.AllSkus.Count()));
        var key = Guid.NewGuid().ToString();
        var delta = random.NextDouble() < 0.6 ? random.Next(1, 10) : -random.Next(1, 5);
        Count(await admin.PostAsync($"manage/skus/{sku.SkuId}/stock-adjustments", new { delta, reason = delta > 0 ? "restock" : "damaged" }, stop, key), "stock adjustment");

        // The console sends it again (a double click, a retry after a timeout): applied once.
        if (random.NextDouble() < 0.3)
        {
            Count(await admin.PostAsync($"manage/skus/{sku.SkuId}/stock-adjustments", new { delta, reason = delta > 0 ? "restock" : "damaged" }, stop, key), "stock adjustment (repeat)");
        }
    }

    private async Task<string?> PlaceAsync(SoakCustomer customer, object request, CancellationToken stop)
    {
        var placed = await customer.Client.PostAsync("orders", request, stop, Guid.NewGuid().ToString());
        return Count(placed, "order") ? placed.Id() : null;
    }

    private async Task<bool> PrepayAsync(SoakCustomer customer, string orderId, CancellationToken stop) =>
        Count(await customer.Client.PostAsync($"orders/{orderId}/pay", new { }, stop), "prepay");

    private async Task PayAtWeChatAsync(string orderId, SandboxPayOptions payOptions)
    {
        try
        {
            await mall.Sandbox.PayAsync(orderId, payOptions);
        }
        catch (InvalidOperationException)
        {
            stats.Error("wechat: not payable");
        }
    }

    /// <summary>WeChat delivers an order's payment notification once more, as its retries do (the resource as first sent).</summary>
    private async Task SendPaymentNotificationAgainAsync(string orderId, CancellationToken stop)
    {
        if (mall.Sandbox.FindTransaction(orderId) is not { Resource.TransactionId: not null } transaction)
        {
            return;
        }

        var webhook = mall.Sandbox.BuildPaymentNotification(transaction.Resource with { TradeState = TradeStates.Success, TradeStateDesc = "支付成功" });
        using var client = mall.Client(stats);
        var answer = await client.SendAsync(() => webhook.ToHttpRequest(mall.PaymentNotifyUrl), "payment notification", stop);
        Count(answer, "late notification");
    }

    private async Task<JsonElement?> WaitForOrderAsync(SoakCustomer customer, string orderId, Func<JsonElement, bool> condition, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var order = await customer.Client.GetAsync($"orders/{orderId}", stop);
            if (order.Ok && condition(order.Body))
            {
                return order.Body;
            }

            await Task.Delay(300, stop);
        }

        stats.Error("order did not move within 120 s");
        return null;
    }

    /// <summary>Counts an operation as done, or its refusal by kind (a 409 here is often the mall rightly saying no).</summary>
    private bool Count(MallResponse response, string operation)
    {
        if (response.Ok)
        {
            stats.Done(operation);
            return true;
        }

        stats.Error($"{operation}: {(int)response.Status} {response.Code}".TrimEnd());
        return false;
    }

    private SoakSku Pick(Random random) => catalog.Plain[random.Next(catalog.Plain.Count)];

    private static string? Status(JsonElement order) => order.GetProperty("status").GetString();

    private static string? Refund(JsonElement refund) => refund.GetProperty("status").GetString();

    private sealed record PendingBalance(SoakCustomer Customer, string ReservationId, PresaleWindow Window);
}
