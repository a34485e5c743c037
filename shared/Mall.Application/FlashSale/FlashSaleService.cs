using Mall.Application.Catalog;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.FlashSale;
using Mall.Domain.Limits;
using Mall.Domain.Orders;

namespace Mall.Application.FlashSale;

public static class FlashSaleWork
{
    /// <summary>Closes a sale at its end: its shards close and their unsold units go back to normal stock.</summary>
    public const string Close = "flash-sale-close";
}

/// <summary>
/// Flash sales 秒杀: the operator schedules them in the daily slots; customers reserve a unit, which
/// creates a flash order payable for a few minutes (then the unit goes back to the sale). The units
/// are moved out of normal stock into the sale's shards when it is created and what is left moves
/// back when it closes, each exactly once (<see cref="FlashStock"/>). A reservation never waits on
/// the durable engine.
/// </summary>
public sealed class FlashSaleService(
    FlashSales sales,
    FlashStock stock,
    IDocumentCollection<FlashSkuCalendar> calendars,
    CatalogQueryService catalog,
    StockService inventory,
    CheckoutService checkout,
    IDueWorkScheduler scheduler,
    Limiter limiter,
    FlashSaleOptions options,
    MallMetrics metrics,
    TimeProvider time)
{
    /// <summary>Schedules a flash sale; the Idempotency-Key makes a retry return (or finish preparing) the same sale.</summary>
    public async Task<FlashSaleAdminView> CreateAsync(string idempotencyKey, FlashSaleRequest request, CancellationToken cancellationToken)
    {
        var startsAt = request.StartsAt!.Value.ToUniversalTime();
        if (startsAt.Year is < 2000 or > 2999)
        {
            throw DomainException.Validation("startsAt", "Must be a date in the years 2000–2999.");
        }

        var cstStart = TimeOnly.FromTimeSpan(ChinaTime.ToCst(startsAt).TimeOfDay);
        if (!options.DailySlots().Contains(cstStart))
        {
            throw DomainException.Validation("startsAt", $"Must be at a daily flash-sale slot ({string.Join(", ", options.Slots)} CST).");
        }

        var now = time.GetUtcNow();
        var (product, sku) = await catalog.GetSellableSkuAsync(request.SkuId!, cancellationToken);
        if (request.PriceFen >= sku.PriceFen)
        {
            throw DomainException.Validation("priceFen", $"Must be below the SKU's price ({sku.PriceFen} fen), which the storefront shows struck through.");
        }

        var quantity = request.Quantity!.Value;
        var requested = new FlashSaleSession
        {
            Id = FlashSales.NewId(startsAt, idempotencyKey),
            ProductId = product.Id,
            SkuId = sku.Id,
            PriceFen = request.PriceFen!.Value,
            Quantity = quantity,
            PerCustomerLimit = request.PerCustomerLimit ?? 1,
            StartsAt = startsAt,
            EndsAt = startsAt.AddMinutes(request.DurationMinutes ?? options.DefaultDurationMinutes),
            Shards = request.Shards ?? FlashSaleSession.ShardsFor(quantity),
            Status = FlashSaleStatus.Preparing,
            CreatedAt = now,
        };

        var existing = await sales.FindAsync(requested.Id, cancellationToken);
        if (existing is null)
        {
            if (requested.EndsAt <= now)
            {
                throw DomainException.Validation("startsAt", "The sale would already be over.");
            }

            if ((await sales.StartingOnAsync([ChinaTime.DateOf(startsAt)], cancellationToken)).Count >= FlashSales.MaxPerDay)
            {
                throw DomainException.Validation("startsAt", $"That day already has {FlashSales.MaxPerDay} flash sales.");
            }

            // Its closing is scheduled before it exists, so no sale is left holding units.
            await scheduler.ScheduleAsync(new DueWork(FlashSaleWork.Close, requested.Id, requested.EndsAt), cancellationToken);
            try
            {
                existing = await sales.InsertAsync(requested, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                existing = await sales.FindAsync(requested.Id, cancellationToken) ?? throw new DomainException(ErrorCode.Busy, "The sale is being created; retry with the same Idempotency-Key.");
            }
        }

        var sale = existing.Value;
        if (!SameTerms(sale, requested))
        {
            throw new DomainException(ErrorCode.IdempotencyKeyReused, "This Idempotency-Key was already used for a different flash sale.");
        }

        if (sale.Refusal is { } refusal)
        {
            throw refusal.ToException();
        }

        if (sale.Status == FlashSaleStatus.Preparing)
        {
            sale = await PrepareAsync(sale, cancellationToken);
        }

        return await AdminViewAsync(sale, cancellationToken);
    }

    public async Task<FlashSaleAdminView> GetForAdminAsync(string saleId, CancellationToken cancellationToken) =>
        await AdminViewAsync(await sales.GetAsync(saleId, cancellationToken), cancellationToken);

    /// <summary>The sales starting in the <paramref name="days"/> CST days from <paramref name="from"/>.</summary>
    public async Task<IReadOnlyList<FlashSaleAdminView>> ListForAdminAsync(DateOnly from, int days, CancellationToken cancellationToken)
    {
        if (from.Year is < 2000 or > 2999)
        {
            throw DomainException.Validation("from", "Must be a date in the years 2000–2999.");
        }

        var list = await sales.StartingOnAsync(Enumerable.Range(0, days).Select(from.AddDays), cancellationToken);
        var views = new List<FlashSaleAdminView>();
        foreach (var sale in list)
        {
            views.Add(await AdminViewAsync(sale, cancellationToken));
        }

        return views;
    }

    /// <summary>Cancels a sale before it starts: every unit goes back to normal stock.</summary>
    public async Task<FlashSaleAdminView> CancelAsync(string saleId, CancellationToken cancellationToken)
    {
        var sale = await sales.ChangeAsync(saleId, s => s.Cancel(time.GetUtcNow()), cancellationToken);
        return await AdminViewAsync(await CloseAsync(sale, cancellationToken), cancellationToken);
    }

    /// <summary>Ends a running sale now: nothing more is sold, unsold units go back to normal stock.</summary>
    public async Task<FlashSaleAdminView> EndEarlyAsync(string saleId, CancellationToken cancellationToken)
    {
        var sale = await sales.ChangeAsync(saleId, s => s.EndEarly(time.GetUtcNow()), cancellationToken);
        return await AdminViewAsync(await CloseAsync(sale, cancellationToken), cancellationToken);
    }

    /// <summary>Due work at a sale's end (run late after downtime, or twice: the same result).</summary>
    public async Task<DueWorkResult> HandleCloseAsync(string saleId, CancellationToken cancellationToken)
    {
        var found = await sales.FindAsync(saleId, cancellationToken);
        if (found is null)
        {
            return DueWorkResult.Done;
        }

        var sale = found.Value;
        if (sale.Status is FlashSaleStatus.Scheduled or FlashSaleStatus.Preparing && time.GetUtcNow() < sale.EndsAt)
        {
            return DueWorkResult.Later(sale.EndsAt);
        }

        if (sale.UnsoldReturned is null)
        {
            // Also a sale whose creation stopped half-way and was not retried: what it moved goes back.
            await CloseAsync(sale.Status == FlashSaleStatus.Preparing ? await sales.ChangeAsync(saleId, s => s.Closed(0), cancellationToken) : sale, cancellationToken);
        }

        return DueWorkResult.Done;
    }

    /// <summary>Current and upcoming sales (today and the next two CST days).</summary>
    public async Task<IReadOnlyList<FlashSaleView>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = ChinaTime.DateOf(now);
        var list = await sales.StartingOnAsync([today.AddDays(-1), today, today.AddDays(1), today.AddDays(2)], cancellationToken);
        var views = new List<FlashSaleView>();
        foreach (var sale in list.Where(s => s.PhaseAt(now) is FlashSalePhase.Upcoming or FlashSalePhase.Live))
        {
            sales.Remember(sale);
            try
            {
                views.Add(await ViewAsync(sale, cancellationToken));
            }
            catch (DomainException unavailable) when (unavailable.Code is ErrorCode.NotFound or ErrorCode.ProductNotOnSale)
            {
                // Its product was taken off sale: the sale cannot be bought, so it is not shown.
            }
        }

        return views;
    }

    public async Task<FlashSaleView> GetAsync(string saleId, CancellationToken cancellationToken)
    {
        var sale = await sales.GetRecentAsync(saleId, cancellationToken);
        return sale.Status is FlashSaleStatus.Preparing ? throw DomainException.NotFound($"Flash sale {saleId}") : await ViewAsync(sale, cancellationToken);
    }

    /// <summary>
    /// Reserves one unit: a flash order at the sale's price, payable for <see cref="FlashSaleOptions.UnpaidMinutes"/>.
    /// A sale that has not started, has ended or (as this instance last saw it) is sold out is answered
    /// without a storage call — so a retry of a reservation that succeeded, sent after the sell-out,
    /// is answered FLASH_SALE_SOLD_OUT too; its order is in the customer's order list.
    /// </summary>
    public async Task<CheckoutResult> ReserveAsync(string customerId, string idempotencyKey, FlashReservationRequest request, string saleId, CancellationToken cancellationToken)
    {
        try
        {
            return await ReserveUnitAsync(customerId, idempotencyKey, request, saleId, cancellationToken);
        }
        catch (DomainException refusal)
        {
            // Every refusal, with its code as the reason: sold out and limits are the expected ones at a sale's start.
            metrics.FlashSaleRefused(refusal.Code.ToWire());
            throw;
        }
    }

    private async Task<CheckoutResult> ReserveUnitAsync(string customerId, string idempotencyKey, FlashReservationRequest request, string saleId, CancellationToken cancellationToken)
    {
        var sale = await sales.GetRecentAsync(saleId, cancellationToken);
        var now = time.GetUtcNow();
        if (sale.RefusalAt(now) is { } refusal)
        {
            throw refusal;
        }

        if (await stock.SeemsSoldOutAsync(sale, cancellationToken))
        {
            throw new DomainException(ErrorCode.FlashSaleSoldOut, "This flash sale is sold out.");
        }

        await limiter.AdmitAsync("flash-reserve", customerId, new RateLimit(options.ReservationsPerCustomerPerMinute, TimeSpan.FromMinutes(1)), "Too many flash-sale attempts in a minute", cancellationToken);
        var orderId = Ids.Derive("O", customerId, sale.Id, idempotencyKey);
        if (await stock.OtherTakesAsync(sale, customerId, orderId, cancellationToken) >= sale.PerCustomerLimit)
        {
            throw new DomainException(ErrorCode.FlashSaleLimitReached, $"Each customer may buy at most {sale.PerCustomerLimit} in this flash sale.");
        }

        // Looked at again (from memory) before the order is placed: the sale may have sold out during those reads.
        if (await stock.SeemsSoldOutAsync(sale, cancellationToken))
        {
            throw new DomainException(ErrorCode.FlashSaleSoldOut, "This flash sale is sold out.");
        }

        return await checkout.CreateCampaignOrderAsync(
            customerId,
            new CampaignOrderRequest(orderId, new OrderSource(OrderSource.FlashSale, sale.Id, sale.Id), sale.SkuId, 1, sale.PriceFen, request.Address!, HoldsStock: false, PayWithin: TimeSpan.FromMinutes(options.UnpaidMinutes)),
            cancellationToken);
    }

    private static bool SameTerms(FlashSaleSession a, FlashSaleSession b) =>
        a.SkuId == b.SkuId && a.PriceFen == b.PriceFen && a.Quantity == b.Quantity && a.PerCustomerLimit == b.PerCustomerLimit
        && a.StartsAt == b.StartsAt && (a.EndsAt == b.EndsAt || a.StoppedAt is not null) && a.Shards == b.Shards;

    /// <summary>
    /// Takes the SKU's window, moves the quantity in and schedules the sale. Refused (it overlaps another
    /// sale of the SKU, or there is not enough stock), the sale is cancelled for good with the reason; a
    /// sale cancelled meanwhile is closed, so what this moved goes back.
    /// </summary>
    private async Task<FlashSaleSession> PrepareAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        try
        {
            await ReserveWindowAsync(sale, cancellationToken);
        }
        catch (DomainException overlap) when (overlap.Code == ErrorCode.Conflict)
        {
            await RefuseAsync(sale, new FlashSaleRefusal(ErrorCode.Conflict, "startsAt", overlap.Message));
        }

        if (!await stock.MoveInAsync(sale, cancellationToken))
        {
            var available = (await inventory.AvailableAsync(sale.ProductId, cancellationToken)).GetValueOrDefault(sale.SkuId);
            await RefuseAsync(sale, new FlashSaleRefusal(ErrorCode.OutOfStock, "quantity", $"The SKU had {available} units in stock, fewer than the sale's quantity."));
        }

        var scheduled = await sales.ChangeAsync(sale.Id, s => s.Scheduled(), cancellationToken);
        return scheduled.Status == FlashSaleStatus.Scheduled ? scheduled : await CloseAsync(scheduled, cancellationToken);
    }

    /// <summary>Cancels the sale for good with the reason (closing it, for whatever a concurrent attempt moved in) and throws it.</summary>
    private async Task RefuseAsync(FlashSaleSession sale, FlashSaleRefusal refusal)
    {
        await CloseAsync(await sales.ChangeAsync(sale.Id, s => s.Refused(refusal, time.GetUtcNow()), CancellationToken.None), CancellationToken.None);
        throw refusal.ToException();
    }

    /// <summary>
    /// Closes the shards and records what went back; safe to repeat and to run beside a creation still
    /// preparing the sale (the shards' own operations return each unit once).
    /// </summary>
    private async Task<FlashSaleSession> CloseAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        var unsold = await stock.CloseAsync(sale, cancellationToken);
        var closed = await sales.ChangeAsync(sale.Id, s => s.Closed(unsold), cancellationToken);
        await FreeWindowAsync(closed, cancellationToken);
        return closed;
    }

    private Task<bool> ReserveWindowAsync(FlashSaleSession sale, CancellationToken cancellationToken) =>
        calendars.TransitionAsync(
            FlashSkuCalendar.KeyOf(sale.SkuId),
            current =>
            {
                var now = time.GetUtcNow();
                var windows = (current?.Value.Windows ?? []).Where(w => w.EndsAt > now).ToList();
                if (windows.Any(w => w.SaleId == sale.Id) || time.GetUtcNow() >= sale.EndsAt)
                {
                    return Decision.Keep<FlashSkuCalendar, bool>(true);
                }

                if (windows.FirstOrDefault(w => w.StartsAt < sale.EndsAt && sale.StartsAt < w.EndsAt) is { } overlapping)
                {
                    throw new DomainException(ErrorCode.Conflict, $"Flash sale {overlapping.SaleId} of this SKU runs {overlapping.StartsAt:O}–{overlapping.EndsAt:O}; sales of one SKU cannot overlap.", new Dictionary<string, string[]>
                    {
                        ["startsAt"] = [$"Overlaps flash sale {overlapping.SaleId}."],
                    });
                }

                if (windows.Count >= FlashSkuCalendar.MaxWindows)
                {
                    throw DomainException.Validation("startsAt", $"This SKU already has {FlashSkuCalendar.MaxWindows} flash sales to come.");
                }

                return Decision.Write(new FlashSkuCalendar([.. windows, new FlashWindow(sale.Id, sale.StartsAt, sale.EndsAt)]), true);
            },
            cancellationToken);

    private Task<bool> FreeWindowAsync(FlashSaleSession sale, CancellationToken cancellationToken) =>
        calendars.TransitionAsync(
            FlashSkuCalendar.KeyOf(sale.SkuId),
            current => current is null || current.Value.Windows.All(w => w.SaleId != sale.Id)
                ? Decision.Keep<FlashSkuCalendar, bool>(false)
                : Decision.Write(new FlashSkuCalendar(current.Value.Windows.Where(w => w.SaleId != sale.Id).ToList()), true),
            cancellationToken);

    private async Task<FlashSaleAdminView> AdminViewAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        var figures = sale.Status == FlashSaleStatus.Preparing ? new ShardFigures(0, 0, 0) : await stock.FiguresAsync(sale, cancellationToken);
        return new FlashSaleAdminView(sale, sale.PhaseAt(time.GetUtcNow()), figures.Remaining, figures.Held);
    }

    private async Task<FlashSaleView> ViewAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        var (remaining, asOf) = await stock.RecentRemainingAsync(sale, cancellationToken);
        var (product, sku) = await catalog.GetSellableSkuAsync(sale.SkuId, cancellationToken);
        return new FlashSaleView(sale.Id, sale.ProductId, sale.SkuId, product.Title, sku.Name, sale.PriceFen, sku.PriceFen, sale.Quantity, remaining, asOf, sale.PerCustomerLimit, sale.StartsAt, sale.EndsAt, sale.PhaseAt(time.GetUtcNow()));
    }
}
