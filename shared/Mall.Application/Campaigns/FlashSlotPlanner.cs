using Mall.Application.Catalog;
using Mall.Application.FlashSale;
using Mall.Application.Platform;
using Mall.Domain.Campaigns;
using Mall.Domain.Common;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Campaigns;

/// <summary>
/// Daily flash slots 每日秒杀 from operator templates: the templates live in one bounded document; the
/// calendar timer plans today and the next <see cref="CampaignOptions.FlashDaysAhead"/> days, creating
/// each sale through <see cref="FlashSaleService.CreateAsync"/> under a key fixed by (template, day),
/// so a re-run, a late run after downtime or two concurrent runs create each sale once, and a day has
/// at most one sale of a template even after the template moved to another slot. A day is planned
/// again whenever the templates change (their version), otherwise once.
/// </summary>
public sealed partial class FlashSlotPlanner(
    IDocumentCollection<FlashSlotTemplateBook> books,
    IDocumentCollection<FlashPlanRun> runs,
    FlashSaleService flashSales,
    CatalogQueryService catalog,
    FlashSaleOptions flashOptions,
    CampaignOptions options,
    TimeProvider time,
    ILogger<FlashSlotPlanner> logger)
{
    private static readonly DocumentKey BookKey = DocumentKey.Single("flash-slot-templates");
    private readonly DailyRuns<FlashPlanRun> daily = new(runs, "flash-plan");

    public async Task<FlashSlotTemplateBook> BookAsync(CancellationToken cancellationToken) =>
        (await books.FindAsync(BookKey, cancellationToken))?.Value ?? new FlashSlotTemplateBook();

    public async Task<FlashSlotTemplate> CreateAsync(FlashSlotTemplateRequest request, CancellationToken cancellationToken)
    {
        var template = await ToTemplateAsync(Ids.New("FT"), request, cancellationToken);
        await ChangeBookAsync(book => book.Add(template), cancellationToken);
        return template;
    }

    public async Task<FlashSlotTemplate> UpdateAsync(string templateId, FlashSlotTemplateRequest request, CancellationToken cancellationToken)
    {
        _ = (await BookAsync(cancellationToken)).Find(templateId) ?? throw DomainException.NotFound($"Flash-slot template {templateId}");
        var template = await ToTemplateAsync(templateId, request, cancellationToken);
        await ChangeBookAsync(book => book.Replace(template), cancellationToken);
        return template;
    }

    /// <summary>Removes a template; sales it already created stay (cancel them one by one if needed).</summary>
    public async Task DeleteAsync(string templateId, CancellationToken cancellationToken)
    {
        _ = (await BookAsync(cancellationToken)).Find(templateId) ?? throw DomainException.NotFound($"Flash-slot template {templateId}");
        await ChangeBookAsync(book => book.Remove(templateId), cancellationToken);
    }

    /// <summary>
    /// Plans today's and the next days' sales, unless today was planned with these templates already.
    /// A slot that cannot be created (too little stock, overlapping another sale of the SKU) is
    /// recorded in the run and the rest go ahead.
    /// </summary>
    public async Task<FlashPlanRun> PlanAsync(bool force, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = ChinaTime.DateOf(now);
        var book = await BookAsync(cancellationToken);
        var stored = await daily.FindAsync(today, cancellationToken);
        if (!force && stored?.Value is { } done && done.TemplatesVersion == book.Version)
        {
            return done;
        }

        var planned = book.Plan(today, options.FlashDaysAhead + 1, now);
        var failures = new List<FlashPlanFailure>();
        var scheduled = 0;
        var kept = 0;
        foreach (var slot in planned)
        {
            var t = slot.Template;
            try
            {
                await flashSales.CreateAsync(slot.IdempotencyKey, new FlashSaleRequest { SkuId = t.SkuId, PriceFen = t.PriceFen, Quantity = t.Quantity, PerCustomerLimit = t.PerCustomerLimit, StartsAt = slot.StartsAt, DurationMinutes = t.DurationMinutes }, cancellationToken);
                scheduled++;
            }
            catch (DomainException earlier) when (earlier.Code == ErrorCode.IdempotencyKeyReused)
            {
                // The day has this template's sale already, created under earlier terms (another slot, price…):
                // it stays the day's one sale of the template; the new terms apply from the next day not planned yet.
                kept++;
            }
            catch (DomainException refused)
            {
                failures.Add(new FlashPlanFailure(t.Id, slot.Day, refused.Code.ToWire(), refused.Message));
                LogSlotRefused(logger, t.Id, slot.Day, refused.Code.ToWire(), refused.Message);
            }
        }

        var run = new FlashPlanRun
        {
            Day = today,
            TemplatesVersion = book.Version,
            RanAt = now,
            Planned = planned.Count,
            Scheduled = scheduled,
            Kept = kept,
            Failures = failures.Take(FlashPlanRun.MaxFailures).ToList(),
            FailureCount = failures.Count,
        };
        try
        {
            await daily.CheckpointAsync(stored, run, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // A concurrent run recorded the day first; the sales are the same ones either way.
        }

        return run;
    }

    public Task<IReadOnlyList<FlashPlanRun>> RunsSinceAsync(DateOnly since, CancellationToken cancellationToken) => daily.SinceAsync(since, cancellationToken);

    private async Task<FlashSlotTemplate> ToTemplateAsync(string id, FlashSlotTemplateRequest request, CancellationToken cancellationToken)
    {
        if (!flashOptions.Slots.Contains(request.Slot, StringComparer.Ordinal))
        {
            throw DomainException.Validation("slot", $"Must be a daily flash-sale slot: {string.Join(", ", flashOptions.Slots)} (CST).");
        }

        var (_, sku) = await catalog.GetSellableSkuAsync(request.SkuId!, cancellationToken);
        if (request.PriceFen >= sku.PriceFen)
        {
            throw DomainException.Validation("priceFen", $"Must be below the SKU's price ({sku.PriceFen} fen), which the storefront shows struck through.");
        }

        var days = request.DaysOfWeek is { Count: > 0 } chosen ? chosen.Distinct().Order().ToList() : Enum.GetValues<DayOfWeek>().ToList();
        return new FlashSlotTemplate
        {
            Id = id,
            SkuId = sku.Id,
            PriceFen = request.PriceFen!.Value,
            Quantity = request.Quantity!.Value,
            PerCustomerLimit = request.PerCustomerLimit ?? 1,
            Slot = request.Slot!,
            DaysOfWeek = days,
            DurationMinutes = request.DurationMinutes ?? flashOptions.DefaultDurationMinutes,
            Active = request.Active ?? true,
        };
    }

    private Task<FlashSlotTemplateBook> ChangeBookAsync(Func<FlashSlotTemplateBook, FlashSlotTemplateBook> change, CancellationToken cancellationToken) =>
        books.TransitionAsync(
            BookKey,
            current =>
            {
                var book = current?.Value ?? new FlashSlotTemplateBook();
                var changed = change(book);
                return ReferenceEquals(changed, book) ? Decision.Keep<FlashSlotTemplateBook, FlashSlotTemplateBook>(book) : Decision.Write(changed, changed);
            },
            cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flash slot of template {TemplateId} on {Day} not created: {Code} {Detail}")]
    private static partial void LogSlotRefused(ILogger logger, string templateId, DateOnly day, string code, string detail);
}
