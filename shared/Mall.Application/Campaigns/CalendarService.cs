using Mall.Application.FlashSale;
using Mall.Domain.Campaigns;
using Mall.Domain.Common;

namespace Mall.Application.Campaigns;

/// <summary>The operator's calendar of the next days and its two figures: the brand day's share of GMV, and participation with and without announcement.</summary>
public sealed class CalendarService(FlashSlotPlanner planner, FlashSales flashSales, CampaignService campaigns, CampaignTally tally, CampaignOptions options, TimeProvider time)
{
    public const int MaxDays = 62;

    public const string ParticipationDefinition =
        "A participant is a customer with a paid order attributed to the campaign: paid within its window (a festival's warm-up included) and, "
        + "for a campaign of some products, holding one of them or being an order of its presale; each customer counts once per campaign. "
        + "Campaigns that started within the period (and were not cancelled) are compared: announced ones got the 7-day pre-announcement.";

    public const string GmvDefinition =
        "GMV is what WeChat Pay collected for paid orders (presale deposits and balances included, refunds not deducted), by the CST day of payment.";

    /// <summary>Flash slots, campaigns (with their warm-ups and announcements) and brand days of the <paramref name="days"/> CST days from <paramref name="from"/>.</summary>
    public async Task<CalendarView> CalendarAsync(DateOnly? from, int days, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var first = from ?? ChinaTime.DateOf(now);
        days = Math.Clamp(days, 1, MaxDays);
        var (windowStart, windowEnd) = (ChinaTime.StartOf(first), ChinaTime.StartOf(first.AddDays(days)));

        var book = await planner.BookAsync(cancellationToken);
        var sales = await flashSales.StartingOnAsync(Enumerable.Range(0, days).Select(first.AddDays), cancellationToken);
        var byId = sales.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var slots = book.Plan(first, days, windowStart).Select(p =>
        {
            var saleId = FlashSales.NewId(p.StartsAt, p.IdempotencyKey);
            var sale = byId.GetValueOrDefault(saleId);
            // A day planned before the template changed shows the sale it kept (one per template and day).
            return sale is null
                ? new CalendarSlot(p.Template.Id, p.Day, p.StartsAt, p.EndsAt, p.Template.SkuId, p.Template.PriceFen, p.Template.Quantity, null, null)
                : new CalendarSlot(p.Template.Id, p.Day, sale.StartsAt, sale.EndsAt, sale.SkuId, sale.PriceFen, sale.Quantity, sale.Id, sale.PhaseAt(now));
        }).ToList();
        var fromTemplates = slots.Where(s => s.SaleId is not null).Select(s => s.SaleId!).ToHashSet(StringComparer.Ordinal);

        var onCalendar = (await campaigns.EndingFromAsync(windowStart, cancellationToken))
            .Where(c => c.Status != CampaignStatus.Cancelled && (c.AnnounceAt is { } a && a < windowEnd || c.AttributionStartsAt < windowEnd))
            .ToList();
        var views = new List<CampaignView>();
        foreach (var campaign in onCalendar)
        {
            views.Add(await campaigns.ViewAsync(campaign, cancellationToken));
        }

        var announcements = views.Where(v => v.Campaign.AnnounceAt is { } at && at >= windowStart && at < windowEnd)
            .Select(v => new CalendarAnnouncement(
                v.Campaign.Id,
                v.Campaign.Name,
                v.Campaign.AnnounceAt!.Value,
                v.Campaign.Reached.Any(r => r.Milestone == CampaignMilestone.Announce && r.Skipped)
                    ? "skipped"
                    : v.Announcement switch { null => "scheduled", { CompletedAt: null } => "sending", _ => "sent" },
                v.Announcement?.Sent ?? 0))
            .ToList();

        var brandDays = new List<CalendarBrandDay>();
        for (var month = new DateOnly(first.Year, first.Month, 1); month < first.AddDays(days); month = month.AddMonths(1))
        {
            var (date, startsAt, _) = campaigns.BrandDayOf(month.Year, month.Month);
            if (date >= first && date < first.AddDays(days))
            {
                // Whichever edition is live (a cancelled brand day can be planned again under the next one).
                brandDays.Add(new CalendarBrandDay(date, onCalendar.FirstOrDefault(c => c.Kind == CampaignKind.BrandDay && c.StartsAt == startsAt)?.Id));
            }
        }

        return new CalendarView(first, days, slots, sales.Where(s => !fromTemplates.Contains(s.Id)).ToList(), views, announcements, brandDays, await planner.RunsSinceAsync(ChinaTime.DateOf(now).AddDays(-1), cancellationToken));
    }

    /// <summary>The brand day of a CST month ("2026-12") and its share of the month's GMV, against the target (seed: 28%).</summary>
    public async Task<BrandDayReport> BrandDayAsync(int year, int month, CancellationToken cancellationToken)
    {
        var (date, _, _) = campaigns.BrandDayOf(year, month);
        var gmv = await tally.MonthGmvAsync(year, month, cancellationToken);
        var brandDays = Enumerable.Range(0, options.BrandDayDays).Select(date.AddDays).ToHashSet();
        var brandDayGmv = gmv.Where(d => brandDays.Contains(d.Key)).Sum(d => d.Value);
        var monthGmv = gmv.Values.Sum();
        var planned = await campaigns.FindBrandDayAsync(year, month, cancellationToken);
        return new BrandDayReport(
            $"{year:D4}-{month:D2}",
            date,
            options.BrandDayDays,
            planned is { Campaign: { Status: not CampaignStatus.Cancelled } live } ? live.Id : null,
            brandDayGmv,
            monthGmv,
            BasisPoints.Share(brandDayGmv, monthGmv),
            options.BrandDayTargetShareBps,
            GmvDefinition);
    }

    /// <summary>Participants of the campaigns that started in the last <paramref name="days"/> days: announced against unannounced (seed: 3×).</summary>
    public async Task<ParticipationReport> ParticipationAsync(int days, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = now.AddDays(-days);
        var started = (await campaigns.EndingFromAsync(since, cancellationToken))
            .Where(c => c.Status == CampaignStatus.Scheduled && c.HasReached(CampaignMilestone.Start) && c.StartsAt >= since)
            .ToList();
        var rows = new List<ParticipationCampaign>();
        foreach (var c in started)
        {
            rows.Add(new ParticipationCampaign(c.Id, c.Name, c.Kind, c.Announced, c.StartsAt, c.EndsAt, await campaigns.ParticipantsAsync(c.Id, cancellationToken)));
        }

        var announced = rows.Where(r => r.Announced).ToList();
        var unannounced = rows.Where(r => !r.Announced).ToList();
        var (aSum, uSum) = (announced.Sum(r => r.Participants), unannounced.Sum(r => r.Participants));
        return new ParticipationReport(
            announced.Count,
            aSum,
            unannounced.Count,
            uSum,
            BasisPoints.Lift(aSum, announced.Count, uSum, unannounced.Count),
            options.AnnouncementTargetLiftBps,
            rows,
            ParticipationDefinition);
    }
}
