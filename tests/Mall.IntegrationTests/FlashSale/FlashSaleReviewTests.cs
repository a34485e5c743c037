using Azure;
using Mall.Application.FlashSale;
using Mall.Application.Orders;
using Mall.Domain.Common;
using Mall.Domain.FlashSale;
using Mall.Testing;
using static Mall.IntegrationTests.FlashSale.FlashShop;

namespace Mall.IntegrationTests.FlashSale;

/// <summary>
/// An adversarial review of the first version of flash sales: each test failed on it. Conservation checked:
/// initial normal stock = normal stock now + units held by orders in the sale + units free in open shards
/// (− refunded units restocked, none here).
/// </summary>
public sealed class FlashSaleReviewTests
{
    /// <summary>
    /// A customer cancels their flash order (it is cancellable while Reserving: its id is derived from the
    /// customer, the sale and the key, all known to the client) while the reservation request is between
    /// recording its take slot and taking a unit. The cancel's give-back deletes the take slot; the request
    /// then takes a unit, and its late give-back finds no take slot and returns early ("nothing is held"):
    /// the unit stays held by a cancelled order for good — never sold, never back in normal stock. Repeated,
    /// a customer (or several) can drain a whole sale. The same happens when a duplicate request for the
    /// order marks the slot just before a cancel or expiry deletes it, or when the order expires meanwhile.
    /// </summary>
    [Fact]
    public async Task A_flash_order_cancelled_while_its_reservation_is_taking_a_unit_leaves_no_unit_held()
    {
        var slotRecorded = new TaskCompletionSource();
        var cancelDone = new TaskCompletionSource();
        var held = 0;
        var (mall, time, skuId, productId) = await ShopAsync(20, configure: services => services.Script<FlashTake>(takes => takes.AfterWrite = async (actor, _) =>
        {
            // The reservation is held just after it recorded its take slot, until the customer's cancel has run.
            if (actor == "reserve" && Interlocked.Exchange(ref held, 1) == 0)
            {
                slotRecorded.TrySetResult();
                await cancelDone.Task;
            }
        }));
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 5)).Sale;
        var customer = await mall.NewCustomerAsync();
        time.SetUtcNow(Nine.AddSeconds(1));
        var flash = mall.Get<FlashSaleService>();
        var orderId = Ids.Derive("O", customer, sale.Id, "reserve-0001");

        var reserve = ScriptedCollections.RunAs("reserve", () => OutcomeAsync(() => flash.ReserveAsync(customer, "reserve-0001", Reservation, sale.Id, CancellationToken.None)));
        await slotRecorded.Task;
        var cancelled = await mall.Get<OrderService>().CancelAsync(customer, orderId, CancellationToken.None);
        cancelDone.SetResult();
        var outcome = await reserve;

        // The sale ends; every unit not sold must be back in normal stock.
        time.SetUtcNow(Nine.AddMinutes(61));
        await flash.HandleCloseAsync(sale.Id, CancellationToken.None);
        var (stock, unitsHeld, free) = await LedgerAsync(mall, sale, productId);
        Assert.True(
            unitsHeld == 0 && stock == 20,
            $"order {cancelled.Status}, reservation answered {outcome}; units held by orders {unitsHeld} (expected 0), normal stock {stock} + free {free} (expected 20 + 0): {20 - stock - free} unit(s) lost");
    }

    /// <summary>
    /// The same loss with two requests for one order (a client retry with the same Idempotency-Key): the
    /// first opens the order; the retry (which read it as Reserving) marks the take slot as a duplicate
    /// after the customer's cancel has released the order's unit but before it deletes the slot; the retry
    /// then finds no unit for the order, takes one, and its give-back finds the slot deleted.
    /// </summary>
    [Fact]
    public async Task A_duplicate_request_still_taking_when_the_order_is_cancelled_leaves_no_unit_held()
    {
        var firstSlotRecorded = new TaskCompletionSource();
        var firstGoesOn = new TaskCompletionSource();
        var retryAtMark = new TaskCompletionSource();
        var retryMarks = new TaskCompletionSource();
        var retryMarked = new TaskCompletionSource();
        var cancelAtDelete = new TaskCompletionSource();
        var cancelDeleted = new TaskCompletionSource();
        var (mall, time, skuId, productId) = await ShopAsync(20, configure: services => services.Script<FlashTake>(takes =>
        {
            takes.BeforeWrite = async (actor, _) =>
            {
                if (actor == "retry" && !retryAtMark.Task.IsCompleted && firstSlotRecorded.Task.IsCompleted)
                {
                    // The retry's first write is its duplicate mark (its insert conflicts before writing).
                    retryAtMark.TrySetResult();
                    await retryMarks.Task;
                }
                else if (actor == "cancel" && !cancelAtDelete.Task.IsCompleted)
                {
                    // The cancel's only take write is the slot's deletion, after it released the unit.
                    cancelAtDelete.TrySetResult();
                    await retryMarked.Task;
                }
            };
            takes.AfterWrite = async (actor, _) =>
            {
                if (actor == "first" && !firstSlotRecorded.Task.IsCompleted)
                {
                    firstSlotRecorded.TrySetResult();
                    await firstGoesOn.Task;
                }
                else if (actor == "retry" && retryAtMark.Task.IsCompleted && !retryMarked.Task.IsCompleted)
                {
                    retryMarked.TrySetResult();
                    await cancelDeleted.Task;
                }
                else if (actor == "cancel" && !cancelDeleted.Task.IsCompleted)
                {
                    cancelDeleted.TrySetResult();
                }
            };
        }));
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 5)).Sale;
        var customer = await mall.NewCustomerAsync();
        time.SetUtcNow(Nine.AddSeconds(1));
        var flash = mall.Get<FlashSaleService>();
        var orderId = Ids.Derive("O", customer, sale.Id, "reserve-0001");

        var first = ScriptedCollections.RunAs("first", () => OutcomeAsync(() => flash.ReserveAsync(customer, "reserve-0001", Reservation, sale.Id, CancellationToken.None)));
        await firstSlotRecorded.Task;
        var retry = ScriptedCollections.RunAs("retry", () => OutcomeAsync(() => flash.ReserveAsync(customer, "reserve-0001", Reservation, sale.Id, CancellationToken.None)));
        await retryAtMark.Task;
        firstGoesOn.SetResult();
        Assert.Equal(orderId, await first);
        var cancel = ScriptedCollections.RunAs("cancel", () => mall.Get<OrderService>().CancelAsync(customer, orderId, CancellationToken.None));
        await cancelAtDelete.Task;
        retryMarks.SetResult();
        await cancel;
        var retried = await retry;

        time.SetUtcNow(Nine.AddMinutes(61));
        await flash.HandleCloseAsync(sale.Id, CancellationToken.None);
        var (stock, unitsHeld, free) = await LedgerAsync(mall, sale, productId);
        Assert.True(
            unitsHeld == 0 && stock == 20,
            $"retry answered {retried}; units held by orders {unitsHeld} (expected 0), normal stock {stock} + free {free} (expected 20 + 0): {20 - stock - free} unit(s) lost");
    }

    /// <summary>
    /// The creation stops half-way (a storage error creating the shards, after the quantity left normal
    /// stock); the sale shows as Preparing, and the operator cancels it — cancelling is allowed while
    /// Preparing. The close finds no shards and returns nothing; the retry of the creation finds the sale
    /// cancelled and does not prepare it. The quantity is gone from normal stock for good.
    /// </summary>
    [Fact]
    public async Task A_sale_cancelled_after_its_creation_stopped_half_way_gives_back_the_units_it_moved()
    {
        var failed = 0;
        var (mall, time, skuId, productId) = await ShopAsync(30, configure: services => services.Script<FlashShard>(shards => shards.BeforeWrite = (_, _) =>
            Interlocked.Exchange(ref failed, 1) == 0 ? throw new RequestFailedException(503, "Server busy (test)") : Task.CompletedTask));
        await using var _ = mall;
        var flash = mall.Get<FlashSaleService>();
        await Assert.ThrowsAsync<RequestFailedException>(() => ScheduleAsync(mall, skuId, 20));
        var saleId = FlashSales.NewId(Nine, "sale-0001");
        var preparing = await flash.GetForAdminAsync(saleId, CancellationToken.None);

        var cancelled = await flash.CancelAsync(saleId, CancellationToken.None);
        var retried = await ScheduleAsync(mall, skuId, 20);
        time.SetUtcNow(Nine.AddMinutes(61));
        await flash.HandleCloseAsync(saleId, CancellationToken.None);

        var (stock, held, free) = await LedgerAsync(mall, cancelled.Sale, productId);
        Assert.True(
            stock == 30,
            $"was {preparing.Sale.Status}, then {cancelled.Sale.Status} (unsold returned {cancelled.Sale.UnsoldReturned}), retry {retried.Sale.Status}; normal stock {stock} (expected 30), held {held}, free in open shards {free}");
    }

    /// <summary>
    /// The operator cancels a sale (listed as Preparing) while its creation request is still preparing it:
    /// the cancel closes no shards (none exist yet) and records 0 returned; the creation then moves the
    /// quantity out of normal stock into open shards and cannot schedule the cancelled sale. The units sit
    /// in the open shards of a cancelled sale that no close will ever close (its due work sees it closed).
    /// </summary>
    [Fact]
    public async Task A_sale_cancelled_while_its_creation_is_preparing_it_ends_with_its_units_back_in_normal_stock()
    {
        var inserted = new TaskCompletionSource();
        var cancelDone = new TaskCompletionSource();
        var held = 0;
        var (mall, time, skuId, productId) = await ShopAsync(30, configure: services => services.Script<FlashSaleSession>(sales => sales.AfterWrite = async (actor, _) =>
        {
            if (actor == "create" && Interlocked.Exchange(ref held, 1) == 0)
            {
                inserted.TrySetResult();
                await cancelDone.Task;
            }
        }));
        await using var _ = mall;
        var flash = mall.Get<FlashSaleService>();
        var create = ScriptedCollections.RunAs("create", () => ScheduleAsync(mall, skuId, 20));
        await inserted.Task;
        var saleId = FlashSales.NewId(Nine, "sale-0001");
        var cancelled = await flash.CancelAsync(saleId, CancellationToken.None);
        cancelDone.SetResult();
        var created = await Record.ExceptionAsync(() => create);
        time.SetUtcNow(Nine.AddMinutes(61));
        await flash.HandleCloseAsync(saleId, CancellationToken.None);

        var final = await flash.GetForAdminAsync(saleId, CancellationToken.None);
        var (stock, unitsHeld, free) = await LedgerAsync(mall, final.Sale, productId);
        Assert.True(
            stock == 30 && free == 0,
            $"cancel returned {cancelled.Sale.UnsoldReturned}; creation {(created is null ? "succeeded" : created.GetType().Name)}; sale now {final.Sale.Status}; normal stock {stock} (expected 30), free in open shards of the cancelled sale {free}, held {unitsHeld}");
    }

    /// <summary>
    /// A client retries a reservation with the same Idempotency-Key a second later (a timeout, a double
    /// tap): it must land on the same order. The order's fingerprint includes its payment deadline,
    /// now + 5 minutes, so any retry not made in the same tick is refused as a reuse of the key.
    /// </summary>
    [Fact]
    public async Task A_reservation_retried_with_the_same_key_a_second_later_returns_the_same_order()
    {
        var (mall, time, skuId, _) = await ShopAsync(20);
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 5)).Sale;
        var customer = await mall.NewCustomerAsync();
        time.SetUtcNow(Nine.AddSeconds(1));
        var flash = mall.Get<FlashSaleService>();
        var first = await flash.ReserveAsync(customer, "reserve-0001", Reservation, sale.Id, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(1));
        var retried = await OutcomeAsync(() => flash.ReserveAsync(customer, "reserve-0001", Reservation, sale.Id, CancellationToken.None));

        Assert.Equal(first.Order.Id, retried);
    }

    /// <summary>
    /// The customer's cancel fails after the order was cancelled (a storage error releasing the unit) and
    /// is not retried. For any other order the expiry's due work is the backstop that puts the units back
    /// (OrderService.HandleExpiryAsync releases a cancelled order's stock); a flash order's unit is not in
    /// normal stock, so it stays held by the cancelled order and is lost when the sale closes.
    /// </summary>
    [Fact]
    public async Task A_cancelled_flash_order_whose_give_back_failed_has_its_unit_returned_by_the_expiry_backstop()
    {
        var failed = 0;
        var (mall, time, skuId, productId) = await ShopAsync(20, configure: services => services.Script<FlashShard>(shards => shards.BeforeWrite = (actor, _) =>
            actor == "cancel" && Interlocked.Exchange(ref failed, 1) == 0 ? throw new RequestFailedException(503, "Server busy (test)") : Task.CompletedTask));
        await using var _ = mall;
        var sale = (await ScheduleAsync(mall, skuId, 5)).Sale;
        var customer = await mall.NewCustomerAsync();
        time.SetUtcNow(Nine.AddSeconds(1));
        var flash = mall.Get<FlashSaleService>();
        var order = (await flash.ReserveAsync(customer, "reserve-0001", Reservation, sale.Id, CancellationToken.None)).Order;
        await Assert.ThrowsAsync<RequestFailedException>(() => ScriptedCollections.RunAs("cancel", () => mall.Get<OrderService>().CancelAsync(customer, order.Id, CancellationToken.None)));

        time.Advance(TimeSpan.FromMinutes(6));
        await mall.Get<OrderService>().HandleExpiryAsync(order.Id, CancellationToken.None);
        time.SetUtcNow(Nine.AddMinutes(61));
        await flash.HandleCloseAsync(sale.Id, CancellationToken.None);

        var (stock, held, free) = await LedgerAsync(mall, sale, productId);
        Assert.True(
            held == 0 && stock == 20,
            $"order {(await mall.Get<OrderStore>().FindAsync(order.Id, CancellationToken.None))?.Status}; units held {held} (expected 0), normal stock {stock} (expected 20), free {free}");
    }

    /// <summary>Dates at the edge of the calendar give a 500 (ArgumentOutOfRangeException) instead of a 400.</summary>
    [Fact]
    public async Task Dates_at_the_end_of_the_calendar_are_refused_as_validation_errors()
    {
        var (mall, _, skuId, _) = await ShopAsync(20);
        await using var _ = mall;
        var flash = mall.Get<FlashSaleService>();

        // POST manage/flash-sales {startsAt: 9999-12-31T21:00+08:00 (a slot), durationMinutes: 1440}: the validator lets it through.
        var farStart = new DateTimeOffset(9999, 12, 31, 21, 0, 0, TimeSpan.FromHours(8));
        var create = await Record.ExceptionAsync(() => flash.CreateAsync("sale-far-0001", new FlashSaleRequest { SkuId = skuId, PriceFen = 3_900, Quantity = 5, StartsAt = farStart, DurationMinutes = 1440 }, CancellationToken.None));

        // GET manage/flash-sales?from=9999-12-31&days=2: Api.DateParameter accepts it.
        var list = await Record.ExceptionAsync(() => flash.ListForAdminAsync(DateOnly.MaxValue, 2, CancellationToken.None));

        Assert.True(create is DomainException && list is DomainException, $"create threw {create?.GetType().Name}: {create?.Message}; list threw {list?.GetType().Name}: {list?.Message}");
    }
}
