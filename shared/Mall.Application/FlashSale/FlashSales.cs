using System.Collections.Concurrent;
using System.Globalization;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.FlashSale;

namespace Mall.Application.FlashSale;

/// <summary>
/// Where flash sales are stored — one partition per CST day of their start, the day encoded in the
/// id, so a day's sales are one query — and a short per-instance cache of each sale for the
/// storefront and reservations (a sale's price, quantity and window never change once it is
/// scheduled, except an early end, which its closed shards enforce at once).
/// </summary>
public sealed class FlashSales(IDocumentCollection<FlashSaleSession> sales, FlashSaleOptions options, TimeProvider time)
{
    /// <summary>Flash sales one CST day may have, so a day's partition (what the storefront lists) stays small.</summary>
    public const int MaxPerDay = 300;

    private readonly ConcurrentDictionary<string, (FlashSaleSession Sale, DateTimeOffset Until)> cache = new();

    public static string NewId(DateTimeOffset startsAt, string idempotencyKey) =>
        "FS" + ChinaTime.DateOf(startsAt).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + Ids.Derive(string.Empty, "flash-sale", idempotencyKey)[..12];

    public static DocumentKey KeyOf(string saleId) =>
        TryDayOf(saleId, out var day) ? new DocumentKey(DayPartition(day), saleId) : throw DomainException.NotFound($"Flash sale {saleId}");

    public static string DayPartition(DateOnly cstDay) => "day|" + ChinaTime.DayKey(cstDay);

    public Task<Versioned<FlashSaleSession>?> FindAsync(string saleId, CancellationToken cancellationToken) =>
        TryDayOf(saleId, out _) ? sales.FindAsync(KeyOf(saleId), cancellationToken) : Task.FromResult<Versioned<FlashSaleSession>?>(null);

    public async Task<FlashSaleSession> GetAsync(string saleId, CancellationToken cancellationToken) =>
        (await FindAsync(saleId, cancellationToken))?.Value ?? throw DomainException.NotFound($"Flash sale {saleId}");

    /// <summary>The sale as read within the last <see cref="FlashSaleOptions.SaleCacheMilliseconds"/>.</summary>
    public async Task<FlashSaleSession> GetRecentAsync(string saleId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue(saleId, out var cached) && cached.Until > now)
        {
            return cached.Sale;
        }

        var sale = await GetAsync(saleId, cancellationToken);
        Remember(sale);
        return sale;
    }

    public void Remember(FlashSaleSession sale)
    {
        if (cache.Count > 10 * MaxPerDay)
        {
            // Only ever needed for the sales of the last second or so.
            cache.Clear();
        }

        cache[sale.Id] = (sale, time.GetUtcNow().AddMilliseconds(options.SaleCacheMilliseconds));
    }

    /// <summary>The sales starting on the given CST days, in start order.</summary>
    public async Task<IReadOnlyList<FlashSaleSession>> StartingOnAsync(IEnumerable<DateOnly> cstDays, CancellationToken cancellationToken)
    {
        var found = new List<FlashSaleSession>();
        foreach (var day in cstDays)
        {
            await foreach (var sale in sales.ScanAsync(new DocumentQuery { PartitionKey = DayPartition(day) }, 1000, cancellationToken))
            {
                found.Add(sale.Value);
            }
        }

        return found.OrderBy(s => s.StartsAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
    }

    public Task<Versioned<FlashSaleSession>> InsertAsync(FlashSaleSession sale, CancellationToken cancellationToken) =>
        sales.InsertAsync(KeyOf(sale.Id), sale, [], cancellationToken);

    /// <summary>A guarded change (the same instance back: nothing is written).</summary>
    public async Task<FlashSaleSession> ChangeAsync(string saleId, Func<FlashSaleSession, FlashSaleSession> change, CancellationToken cancellationToken)
    {
        var changed = await sales.UpdateAsync(KeyOf(saleId), $"Flash sale {saleId}", change, cancellationToken);
        Remember(changed);
        return changed;
    }

    public Task DeleteAsync(Versioned<FlashSaleSession> sale, CancellationToken cancellationToken) =>
        sales.DeleteAsync(sale.Key, sale.ETag, cancellationToken);

    private static bool TryDayOf(string saleId, out DateOnly day)
    {
        day = default;
        return saleId.Length == 22 && saleId.StartsWith("FS", StringComparison.Ordinal)
            && DateOnly.TryParseExact(saleId.AsSpan(2, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}

/// <summary>
/// The windows of one SKU's flash sales that still count, so two sales of one SKU never overlap:
/// each creation adds its window by one guarded write. Windows that ended are dropped as it is
/// written, so it stays small.
/// </summary>
public sealed record FlashSkuCalendar(IReadOnlyList<FlashWindow> Windows)
{
    public const int MaxWindows = 200;

    public static DocumentKey KeyOf(string skuId) => DocumentKey.Single("flashsku|" + skuId);
}

public sealed record FlashWindow(string SaleId, DateTimeOffset StartsAt, DateTimeOffset EndsAt);
