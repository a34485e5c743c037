using System.Globalization;
using Mall.Application.Analytics;
using Mall.Application.Platform;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Inventory;
using Mall.Domain.Presale;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Inventory;

/// <summary>
/// Dynamic replenishment 动态补货, once per CST day: counts the units held for open presale deposits, then
/// streams the catalog page by page (one page in memory) and, for every on-sale SKU, forecasts daily demand
/// from its sales history (<see cref="SkuSalesTally"/>) and applies the reorder-point rule to its available
/// stock. Each product's suggestions are stored once (a conditional insert: a run that finds them stored by
/// a crashed or concurrent run takes those), and the run checkpoints after every page with the totals of
/// what is stored, so re-processing a page counts nothing twice. Re-running a finished day does nothing.
/// </summary>
public sealed partial class ReplenishmentService(
    IDocumentCollection<Product> products,
    IDocumentCollection<PresaleReservation> reservations,
    IDocumentCollection<PresaleCampaign> presales,
    IDocumentCollection<ReplenishmentRun> runs,
    IDocumentCollection<ReplenishmentProductLines> lines,
    StockService stock,
    SkuSalesTally sales,
    ReplenishmentOptions options,
    TimeProvider time,
    ILogger<ReplenishmentService> logger)
{
    /// <summary>How many days back the dashboard looks for the latest finished report; older ones are too stale to act on.</summary>
    public const int ReportLookbackDays = 14;

    private readonly DailyRuns<ReplenishmentRun> daily = new(runs, "replenishment");

    public async Task<ReplenishmentRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var day = ChinaTime.DateOf(now);
        var stored = await daily.FindAsync(day, cancellationToken);
        while (stored?.Value.CompletedAt is null)
        {
            var run = stored?.Value ?? new ReplenishmentRun { Day = day, StartedAt = now, Policy = options.ToPolicy(), HistoryDays = options.HistoryDays };
            var next = run.HeldForPresales is null
                ? run with { HeldForPresales = await HeldForPresalesAsync(cancellationToken) }
                : await NextPageAsync(run, cancellationToken);
            try
            {
                // The checkpoint: a crash after this point resumes with the next page.
                stored = await daily.CheckpointAsync(stored, next, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // Another run of the day checkpointed first. Both take each product's stored suggestions, so carry on from its checkpoint.
                stored = await daily.FindAsync(day, cancellationToken);
            }
        }

        var done = stored.Value;
        LogRun(logger, done.Day, done.Products, done.Skus, done.ToReorder, done.Pages);
        return done;
    }

    /// <summary>The latest finished report for the dashboard, its most urgent lines first (at most <see cref="ReplenishmentRun.MostUrgentKept"/>).</summary>
    public async Task<ReplenishmentPanel> PanelAsync(int maxLines, CancellationToken cancellationToken)
    {
        var run = await LatestFinishedAsync(cancellationToken);
        return run is null
            ? new ReplenishmentPanel(null, null, null, options.TurnoverGoalPerMonth, [])
            : new ReplenishmentPanel(
                ChinaTime.DayKey(run.Day),
                run.CompletedAt,
                run.TurnoverPerMonth(),
                options.TurnoverGoalPerMonth,
                run.MostUrgent.Take(Math.Max(0, maxLines)).Select(l => l.ToLine()).ToList());
    }

    /// <summary>
    /// The latest finished report with a page of <paramref name="pageSize"/> products' lines (most urgent first
    /// within the page); the continuation token pages through the same day's report.
    /// </summary>
    public async Task<ReplenishmentReport> ReportAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var (day, storageToken) = ReadToken(continuationToken);
        var run = (day is null ? await LatestFinishedAsync(cancellationToken) : (await daily.FindAsync(day.Value, cancellationToken))?.Value)
            ?? throw DomainException.NotFound("A finished replenishment report");
        var dayKey = ChinaTime.DayKey(run.Day);
        var page = await lines.QueryAsync(new DocumentQuery { PartitionKey = dayKey }, storageToken, pageSize, cancellationToken);
        return new ReplenishmentReport(
            dayKey,
            run.StartedAt,
            run.CompletedAt,
            run.Policy,
            run.HistoryDays,
            run.Products,
            run.Skus,
            run.ToReorder,
            run.UnitsToOrder,
            run.SoldLast30Days,
            run.TurnoverPerMonth(),
            options.TurnoverGoalPerMonth,
            run.MostUrgent,
            ReplenishmentSuggestion.MostUrgentFirst(page.Items.SelectMany(p => p.Value.Lines)).ToList(),
            page.ContinuationToken is null ? null : $"{dayKey}.{page.ContinuationToken}");
    }

    private async Task<ReplenishmentRun?> LatestFinishedAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.DateOf(time.GetUtcNow());
        for (var daysBack = 0; daysBack <= ReportLookbackDays; daysBack++)
        {
            if ((await daily.FindAsync(today.AddDays(-daysBack), cancellationToken))?.Value is { CompletedAt: not null } run)
            {
                return run;
            }
        }

        return null;
    }

    /// <summary>
    /// Units set aside for paid presale deposits whose balance is still open, per SKU (a deposit reserves one unit).
    /// They are already out of available stock; the report shows them so the units are not mistaken for lost.
    /// </summary>
    private async Task<Dictionary<string, long>> HeldForPresalesAsync(CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, long>();
        var skuOfCampaign = new Dictionary<string, string?>();
        await foreach (var reservation in reservations.ScanAsync(new DocumentQuery(), 1000, cancellationToken))
        {
            if (reservation.Value.Status is not (PresaleStatus.DepositPaid or PresaleStatus.BalanceOrdered))
            {
                continue;
            }

            var campaignId = reservation.Value.CampaignId;
            if (!skuOfCampaign.TryGetValue(campaignId, out var skuId))
            {
                skuOfCampaign[campaignId] = skuId = (await presales.FindAsync(DocumentKey.Single(campaignId), cancellationToken))?.Value.SkuId;
            }

            if (skuId is not null)
            {
                held[skuId] = held.GetValueOrDefault(skuId) + 1;
            }
        }

        return held;
    }

    private async Task<ReplenishmentRun> NextPageAsync(ReplenishmentRun run, CancellationToken cancellationToken)
    {
        var page = await products.QueryAsync(new DocumentQuery(), run.ContinuationToken, options.PageSize, cancellationToken);
        using var reads = new SemaphoreSlim(options.ReadConcurrency);
        var stored = await Task.WhenAll(page.Items.Select(async product =>
        {
            await reads.WaitAsync(cancellationToken);
            try
            {
                return await StoreLinesAsync(run, product.Value, cancellationToken);
            }
            finally
            {
                reads.Release();
            }
        }));
        var pageLines = stored.OfType<ReplenishmentProductLines>().SelectMany(p => p.Lines).ToList();
        return run with
        {
            ContinuationToken = page.ContinuationToken,
            Pages = run.Pages + 1,
            Products = run.Products + stored.Count(p => p is not null),
            Skus = run.Skus + pageLines.Count,
            ToReorder = run.ToReorder + pageLines.Count(l => l.SuggestedQuantity > 0),
            UnitsToOrder = run.UnitsToOrder + pageLines.Sum(l => l.SuggestedQuantity),
            SoldLast30Days = run.SoldLast30Days + pageLines.Sum(l => l.SoldLast30Days),
            AverageOnHand = run.AverageOnHand + pageLines.Sum(l => InventoryTurnover.AverageOnHand(l.OnHand, l.SoldLast30Days)),
            MostUrgent = ReplenishmentSuggestion.MostUrgentFirst(run.MostUrgent.Concat(pageLines)).Take(ReplenishmentRun.MostUrgentKept).ToList(),
            CompletedAt = page.ContinuationToken is null ? time.GetUtcNow() : null,
        };
    }

    /// <summary>The product's suggestions as stored for the day: this run's, or those a crashed or concurrent run stored first. Null when nothing of it is on sale.</summary>
    private async Task<ReplenishmentProductLines?> StoreLinesAsync(ReplenishmentRun run, Product product, CancellationToken cancellationToken)
    {
        var skus = product.Status == ProductStatus.OnSale ? product.Skus.Where(s => s.Enabled).ToList() : [];
        if (skus.Count == 0)
        {
            return null;
        }

        var key = new DocumentKey(ChinaTime.DayKey(run.Day), product.Id);
        var computed = new ReplenishmentProductLines(run.Day, product.Id, await SuggestAsync(run, product, skus, cancellationToken));
        try
        {
            await lines.InsertAsync(key, computed, [], cancellationToken);
            return computed;
        }
        catch (ConcurrencyConflictException)
        {
            return (await lines.FindAsync(key, cancellationToken))!.Value;
        }
    }

    private async Task<List<ReplenishmentSuggestion>> SuggestAsync(ReplenishmentRun run, Product product, IReadOnlyList<Sku> skus, CancellationToken cancellationToken)
    {
        // Complete days only: the history ends yesterday, and reaches back far enough for the forecast and the turnover.
        var first = run.Day.AddDays(-Math.Max(run.HistoryDays, InventoryTurnover.WindowDays));
        var last = run.Day.AddDays(-1);
        var available = await stock.AvailableAsync(product.Id, cancellationToken);
        var sold = await sales.DailyUnitsAsync(product.Id, first, last, cancellationToken);
        var suggestions = skus.Select(sku =>
        {
            // Days before the SKU could sell (the product a draft, or the SKU not yet added) are not days without demand.
            var since = new[] { product.OnSaleSince ?? product.CreatedAt, sku.AddedAt ?? product.CreatedAt }.Max();
            var historyStart = DateOnly.FromDayNumber(Math.Max(run.Day.AddDays(-run.HistoryDays).DayNumber, ChinaTime.DateOf(since).DayNumber));
            var units = sold.GetValueOrDefault(sku.Id) ?? new long[last.DayNumber - first.DayNumber + 1];
            var history = units[Math.Min(units.Length, historyStart.DayNumber - first.DayNumber)..];
            var forecast = DemandForecasting.Forecast(historyStart, history, run.Policy.SmoothingBps);
            var onHand = Math.Max(0, available.GetValueOrDefault(sku.Id));
            var advice = ReplenishmentRules.Advise(forecast, onHand, run.Day, run.Policy);
            var soldInWindow = units[^InventoryTurnover.WindowDays..].Sum(u => Math.Max(0, u));
            return new ReplenishmentSuggestion(
                sku.Id,
                product.Id,
                product.Title,
                sku.Name,
                onHand,
                run.HeldForPresales!.GetValueOrDefault(sku.Id),
                Math.Round(forecast.Level, 3),
                Math.Round(advice.DemandOverLeadTime, 2),
                Math.Round(advice.SafetyStock, 2),
                advice.ReorderPoint,
                advice.SuggestedQuantity,
                advice.DaysOfCover is { } cover ? Math.Round(cover, 2) : null,
                soldInWindow,
                InventoryTurnover.PerMonth(soldInWindow, InventoryTurnover.AverageOnHand(onHand, soldInWindow)) is { } turnover ? Math.Round(turnover, 2) : null);
        });
        return ReplenishmentSuggestion.MostUrgentFirst(suggestions).ToList();
    }

    private static (DateOnly? Day, string? StorageToken) ReadToken(string? continuationToken)
    {
        if (continuationToken is null)
        {
            return (null, null);
        }

        var dot = continuationToken.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && DateOnly.TryParseExact(continuationToken[..dot], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (day, continuationToken[(dot + 1)..])
            : throw DomainException.Validation("continuationToken", "The continuation token is not valid.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replenishment {Day}: {Products} products, {Skus} SKUs, {ToReorder} to reorder, {Pages} pages")]
    private static partial void LogRun(ILogger logger, DateOnly day, int products, int skus, int toReorder, int pages);
}
