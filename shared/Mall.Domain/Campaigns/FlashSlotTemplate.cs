using System.Globalization;
using Mall.Domain.Common;

namespace Mall.Domain.Campaigns;

/// <summary>
/// An operator's standing order for a daily flash sale 每日秒杀: the same SKU, price and quantity in one
/// slot on the chosen days of the week. The calendar timer turns it into one flash sale per day it runs.
/// </summary>
public sealed record FlashSlotTemplate
{
    public required string Id { get; init; }

    public required string SkuId { get; init; }

    public required long PriceFen { get; init; }

    public required int Quantity { get; init; }

    public required int PerCustomerLimit { get; init; }

    /// <summary>The CST slot ("HH:mm"), one of the flash-sale slots.</summary>
    public required string Slot { get; init; }

    /// <summary>The CST days of the week it runs on (empty: none).</summary>
    public required IReadOnlyList<DayOfWeek> DaysOfWeek { get; init; }

    public required int DurationMinutes { get; init; }

    /// <summary>Paused templates create nothing; sales already created stay.</summary>
    public bool Active { get; init; } = true;

    public TimeOnly SlotTime => TimeOnly.ParseExact(Slot, "HH:mm", CultureInfo.InvariantCulture);

    public bool RunsOn(DateOnly cstDay) => Active && DaysOfWeek.Contains(cstDay.DayOfWeek);

    public DateTimeOffset StartsOn(DateOnly cstDay) => ChinaTime.StartOf(cstDay) + SlotTime.ToTimeSpan();

    /// <summary>
    /// The Idempotency-Key of its sale on <paramref name="cstDay"/>: the same for every run and every
    /// version of the template (the slot and terms are not in it), so a re-run, a concurrent run or a run
    /// after the template changed lands on the one sale the first run created that day.
    /// </summary>
    public string IdempotencyKeyFor(DateOnly cstDay) =>
        $"slot-{Id}-{cstDay.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";
}

/// <summary>One flash sale a template asks for on one day.</summary>
public sealed record PlannedFlashSale(FlashSlotTemplate Template, DateOnly Day, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string IdempotencyKey);

/// <summary>
/// Every template in one bounded document, so adding, changing and removing one is a single guarded
/// write and the timer reads them with one point read. <see cref="Version"/> grows with every change,
/// so the days are planned again after a change: a day whose sale of a template exists keeps it (one
/// sale per template and day), the days not planned yet follow the new terms.
/// </summary>
public sealed record FlashSlotTemplateBook
{
    public const int MaxTemplates = 100;

    public IReadOnlyList<FlashSlotTemplate> Templates { get; init; } = [];

    public int Version { get; init; }

    public FlashSlotTemplate? Find(string id) => Templates.FirstOrDefault(t => t.Id == id);

    public FlashSlotTemplateBook Add(FlashSlotTemplate template)
    {
        if (Find(template.Id) is not null)
        {
            return this;
        }

        if (Templates.Count >= MaxTemplates)
        {
            throw DomainException.Validation("skuId", $"At most {MaxTemplates} flash-slot templates; remove one first.");
        }

        return this with { Templates = [.. Templates, template], Version = Version + 1 };
    }

    public FlashSlotTemplateBook Replace(FlashSlotTemplate template)
    {
        var existing = Find(template.Id) ?? throw DomainException.NotFound($"Flash-slot template {template.Id}");
        return existing == template ? this : this with { Templates = Templates.Select(t => t.Id == template.Id ? template : t).ToList(), Version = Version + 1 };
    }

    public FlashSlotTemplateBook Remove(string id) =>
        Find(id) is null ? this : this with { Templates = Templates.Where(t => t.Id != id).ToList(), Version = Version + 1 };

    /// <summary>
    /// The sales the templates ask for on the <paramref name="days"/> CST days from <paramref name="from"/>,
    /// in start order, leaving out those already over at <paramref name="now"/> (a late run still
    /// creates what can still sell today).
    /// </summary>
    public IReadOnlyList<PlannedFlashSale> Plan(DateOnly from, int days, DateTimeOffset now) =>
        Enumerable.Range(0, days)
            .Select(from.AddDays)
            .SelectMany(day => Templates.Where(t => t.RunsOn(day)).Select(t =>
            {
                var startsAt = t.StartsOn(day);
                return new PlannedFlashSale(t, day, startsAt, startsAt.AddMinutes(t.DurationMinutes), t.IdempotencyKeyFor(day));
            }))
            .Where(p => p.EndsAt > now)
            .OrderBy(p => p.StartsAt)
            .ThenBy(p => p.Template.Id, StringComparer.Ordinal)
            .ToList();
}
