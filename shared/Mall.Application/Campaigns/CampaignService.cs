using System.Globalization;
using Mall.Application.Catalog;
using Mall.Application.Customers;
using Mall.Application.Inventory;
using Mall.Application.Notifications;
using Mall.Application.Platform;
using Mall.Application.Presale;
using Mall.Application.Promotions;
using Mall.Application.WeChat;
using Mall.Domain.Campaigns;
using Mall.Domain.Common;
using Mall.Domain.Notifications;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Campaigns;

public static class CampaignWork
{
    /// <summary>Reaches a campaign's due milestones, in order; re-scheduled at the next one.</summary>
    public const string Advance = "campaign-advance";

    /// <summary>Sends a campaign's pre-announcement, some pages per run, until every consenting customer was decided.</summary>
    public const string Announce = "campaign-announce";
}

/// <summary>
/// Campaigns on the calendar 营销日历: limited-time discounts, the monthly brand day and festival
/// campaigns. A campaign's milestones — warm-up (its presale opens), pre-announcement, start, end —
/// are reached by one due-work entry per campaign: each run reaches every milestone that is due, in
/// order, each by one ETag-guarded write of the campaign that records it together with its
/// integration event, then moves the entry to the next milestone. A run after downtime therefore
/// reaches what was missed, in order; a concurrent run loses the write and reaches nothing twice.
/// Prices do not wait for a run: the campaign's price rule exists from its creation with the
/// campaign's window, so checkout applies it exactly from the start to the end.
/// </summary>
public sealed partial class CampaignService(
    IDocumentCollection<Campaign> campaigns,
    IDocumentCollection<AnnouncementRun> announcements,
    IDocumentCollection<AnnouncementRecipient> recipients,
    IDocumentCollection<CampaignKeyClaim> keys,
    PromotionService promotions,
    CatalogQueryService catalog,
    PresaleService presales,
    SubscriptionService subscriptions,
    CustomerService customers,
    CounterStore counters,
    IDueWorkScheduler scheduler,
    CampaignOptions options,
    TimeProvider time,
    ILogger<CampaignService> logger)
{
    public const string AnnouncementNameKey = "thing1";
    public const string AnnouncementDateKey = "date2";

    public static DocumentKey KeyOf(string campaignId) =>
        campaignId.Length == 20 && campaignId.StartsWith("CP", StringComparison.Ordinal) && campaignId[2..8].All(char.IsAsciiDigit)
            ? new DocumentKey(campaignId[2..8], campaignId)
            : throw DomainException.NotFound($"Campaign {campaignId}");

    /// <summary>Campaigns are kept in a partition per UTC month they end in, the month written into the id.</summary>
    public static string NewId(DateTimeOffset endsAt, params string[] identity) =>
        "CP" + endsAt.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture) + Ids.Derive(string.Empty, ["campaign", .. identity])[..12];

    /// <summary>The brand day of a CST month (from the settings), and its days.</summary>
    public (DateOnly Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt) BrandDayOf(int year, int month)
    {
        var date = BrandDayRule.DateIn(year, month, options.BrandDayWeekOfMonth, options.BrandDayOfWeek);
        return (date, ChinaTime.StartOf(date), ChinaTime.StartOf(date.AddDays(options.BrandDayDays)));
    }

    /// <summary>
    /// The campaign id of a month's brand day: one live brand day per month, whatever the Idempotency-Key.
    /// Edition 0 is the first plan; each re-plan after a cancel is the next edition.
    /// </summary>
    public string BrandDayId(int year, int month, int edition = 0) =>
        edition == 0
            ? NewId(BrandDayOf(year, month).EndsAt, "brand-day", $"{year:D4}-{month:D2}")
            : NewId(BrandDayOf(year, month).EndsAt, "brand-day", $"{year:D4}-{month:D2}", $"#{edition}");

    /// <summary>A month's latest brand-day edition (cancelled or not) and its number; null: never planned.</summary>
    public async Task<(int Edition, Campaign Campaign)?> FindBrandDayAsync(int year, int month, CancellationToken cancellationToken)
    {
        (int, Campaign)? latest = null;
        for (var edition = 0; edition < BrandDayRule.MaxEditions; edition++)
        {
            if (await FindAsync(BrandDayId(year, month, edition), cancellationToken) is not { } found)
            {
                break;
            }

            latest = (edition, found);
        }

        return latest;
    }

    /// <summary>
    /// Puts a campaign on the calendar; the Idempotency-Key makes a retry return (or finish setting up) the
    /// same one. The key is claimed for one campaign id by a conditional insert, so the same key with other
    /// terms is refused whatever month they end in.
    /// </summary>
    public async Task<CampaignView> CreateAsync(string idempotencyKey, CampaignRequest request, CancellationToken cancellationToken)
    {
        var requested = await ToCampaignAsync(idempotencyKey, request, cancellationToken);
        var claimed = await ClaimKeyAsync(idempotencyKey, requested.Id, cancellationToken);
        if (claimed != requested.Id)
        {
            // The key was used before: a retry of that request (a brand day since cancelled, say) gets its
            // campaign back; other terms are a reuse.
            if (await FindAsync(claimed, cancellationToken) is { } earlier && SameTerms(earlier, requested))
            {
                return await ViewAsync(await PrepareAsync(earlier, cancellationToken), cancellationToken);
            }

            throw new DomainException(ErrorCode.IdempotencyKeyReused, "This Idempotency-Key was already used for a different campaign.");
        }

        var key = KeyOf(requested.Id);
        var existing = await campaigns.FindAsync(key, cancellationToken);
        if (existing is null)
        {
            // Its first milestone is scheduled before it exists, so no campaign is left without its timer.
            await scheduler.ScheduleAsync(new DueWork(CampaignWork.Advance, requested.Id, requested.Milestones()[0].DueAt), cancellationToken);
            try
            {
                existing = await campaigns.InsertAsync(key, requested, [], cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                existing = await campaigns.FindAsync(key, cancellationToken) ?? throw new DomainException(ErrorCode.Busy, "The campaign is being created; retry with the same Idempotency-Key.");
            }
        }

        if (!SameTerms(existing.Value, requested))
        {
            throw requested.Kind == CampaignKind.BrandDay
                ? new DomainException(ErrorCode.Conflict, $"The brand day of {request.Month} is already on the calendar ({requested.Id}) with other terms.", new Dictionary<string, string[]> { ["month"] = [$"Already planned: {requested.Id}."] })
                : new DomainException(ErrorCode.IdempotencyKeyReused, "This Idempotency-Key was already used for a different campaign.");
        }

        var campaign = await PrepareAsync(existing.Value, cancellationToken);
        return await ViewAsync(campaign, cancellationToken);
    }

    public async Task<Campaign?> FindAsync(string campaignId, CancellationToken cancellationToken) =>
        (await campaigns.FindAsync(KeyOf(campaignId), cancellationToken))?.Value;

    public async Task<CampaignView> GetAsync(string campaignId, CancellationToken cancellationToken) =>
        await ViewAsync(await FindAsync(campaignId, cancellationToken) ?? throw DomainException.NotFound($"Campaign {campaignId}"), cancellationToken);

    /// <summary>
    /// Withdraws a campaign before anything of it could have reached a customer (see <see cref="Campaign.Cancel"/>):
    /// decided by one guarded write of the campaign, which the runs respect; then its own price rule is
    /// withdrawn (or claimed withdrawn, if its creation has not inserted it yet), its milestones never come.
    /// </summary>
    public async Task<CampaignView> CancelAsync(string campaignId, CancellationToken cancellationToken)
    {
        var cancelled = await campaigns.UpdateAsync(KeyOf(campaignId), $"Campaign {campaignId}", c => c.Cancel(time.GetUtcNow()), cancellationToken);
        await WithdrawOwnRuleAsync(cancelled, cancellationToken);
        return await ViewAsync(cancelled, cancellationToken);
    }

    /// <summary>Campaigns ending at or after <paramref name="endingFrom"/>, in start order.</summary>
    public async Task<IReadOnlyList<Campaign>> EndingFromAsync(DateTimeOffset endingFrom, CancellationToken cancellationToken)
    {
        var found = new List<Campaign>();
        var from = endingFrom.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
        await foreach (var campaign in campaigns.ScanAsync(new DocumentQuery { PartitionKeyFrom = from }, 1000, cancellationToken))
        {
            if (campaign.Value.EndsAt >= endingFrom)
            {
                found.Add(campaign.Value);
            }
        }

        return found.OrderBy(c => c.AttributionStartsAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Due work: reaches every milestone of the campaign that is due, in order, then asks to run again at
    /// the next one. Runs late (after downtime) or twice at once with the same result.
    /// </summary>
    public async Task<DueWorkResult> AdvanceAsync(string campaignId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var campaign = await FindAsync(campaignId, cancellationToken);
            if (campaign is null)
            {
                return DueWorkResult.Done;
            }

            campaign = await PrepareAsync(campaign, cancellationToken);
            var now = time.GetUtcNow();
            if (campaign.NextDue(now) is not { } due)
            {
                return campaign.Next() is { } later ? DueWorkResult.Later(later.DueAt) : DueWorkResult.Done;
            }

            // A milestone with effects outside the campaign (the presale, the announcement's messages) is
            // first marked as being reached, by a guarded write: a cancel either came first (nothing is
            // set going: read again) or is refused from then on.
            if (campaign.HasEffects(due.Milestone, now) && campaign.Reaching != due.Milestone)
            {
                var begun = await campaigns.TransitionAsync(
                    KeyOf(campaignId),
                    current =>
                    {
                        if (current?.Value.NextDue(now) is not { } next || next.Milestone != due.Milestone)
                        {
                            return Decision.Keep<Campaign, bool>(false);
                        }

                        var marked = current.Value.BeginReaching(due.Milestone, now);
                        return ReferenceEquals(marked, current.Value) ? Decision.Keep<Campaign, bool>(true) : Decision.Write(marked, true);
                    },
                    cancellationToken);
                if (!begun)
                {
                    continue;
                }
            }

            // What a milestone sets going happens after it is marked and before it is recorded, and is
            // idempotent, so a crash in between repeats it harmlessly; the guarded write below records it once.
            string? presaleId = null;
            if (due.Milestone == CampaignMilestone.WarmUp)
            {
                presaleId = await OpenPresaleAsync(campaign, cancellationToken);
            }
            else if (due.Milestone == CampaignMilestone.Announce && campaign.HasEffects(CampaignMilestone.Announce, now))
            {
                await BeginAnnouncementAsync(campaign, now, cancellationToken);
            }

            var reached = await campaigns.TransitionAsync(
                KeyOf(campaignId),
                current =>
                {
                    if (current?.Value.NextDue(now) is not { } next || next.Milestone != due.Milestone)
                    {
                        return Decision.Keep<Campaign, bool>(false);
                    }

                    if (current.Value.HasEffects(due.Milestone, now) && current.Value.Reaching != due.Milestone)
                    {
                        // Marked by no run yet (this run read it before): mark it first, in the next turn.
                        return Decision.Keep<Campaign, bool>(false);
                    }

                    var value = presaleId is null ? current.Value : current.Value with { PresaleCampaignId = presaleId };
                    var (changed, raised) = value.Reach(due.Milestone, now);
                    return raised is null ? Decision.Write(changed, true) : Decision.Write(changed, true, raised);
                },
                cancellationToken);
            if (reached)
            {
                LogReached(logger, campaignId, due.Milestone, due.DueAt, now);
            }
        }
    }

    /// <summary>
    /// Due work: sends the pre-announcement to the next pages of customers who hold an unused subscription
    /// to the announcement template, paced, each customer decided once (a conditional insert per campaign
    /// and customer before the send); checkpointed after every page. Returns "later" until it is done.
    /// </summary>
    public async Task<DueWorkResult> AnnounceAsync(string campaignId, CancellationToken cancellationToken)
    {
        var key = DocumentKey.Single(campaignId);
        var run = (await announcements.FindAsync(key, cancellationToken))?.Value;
        var campaign = await FindAsync(campaignId, cancellationToken);
        if (run is null || run.CompletedAt is not null || campaign is null)
        {
            return DueWorkResult.Done;
        }

        var templateId = options.AnnouncementTemplateId;
        var pacer = new SendPacer(time, options.MessagesPerSecond);
        for (var page = 0; page < options.AnnouncementPagesPerRun; page++)
        {
            var startedAt = run.Pages;

            // Never after the start: a pre-announcement of a start that is past is stopped where it is.
            var consenting = string.IsNullOrEmpty(templateId) || !campaign.MayAnnounce(time.GetUtcNow())
                ? new ResultPage<string>([], null)
                : await subscriptions.ConsentingAsync(templateId, run.ContinuationToken, options.AnnouncementPageSize, cancellationToken);
            var (sent, noConsent, failed) = (0, 0, 0);
            foreach (var customerId in consenting.Items)
            {
                switch (await AnnounceToAsync(campaign, templateId!, customerId, pacer, cancellationToken))
                {
                    case MessageOutcome.Sent:
                        sent++;
                        break;
                    case MessageOutcome.NoConsent or MessageOutcome.RefusedByUser:
                        noConsent++;
                        break;
                    case MessageOutcome.Invalid or MessageOutcome.NotSent or MessageOutcome.Unknown:
                        failed++;
                        break;
                }
            }

            // The checkpoint. A concurrent run that moved past this page keeps its place; what this run
            // decided (other customers than it did: each is decided once) is added to the counts.
            var completedAt = consenting.ContinuationToken is null ? time.GetUtcNow() : (DateTimeOffset?)null;
            run = await announcements.TransitionAsync(
                key,
                current =>
                {
                    var stored = current!.Value;
                    var counted = stored with { Sent = stored.Sent + sent, NoConsent = stored.NoConsent + noConsent, Failed = stored.Failed + failed };
                    var next = stored.Pages == startedAt
                        ? counted with { Pages = stored.Pages + 1, ContinuationToken = consenting.ContinuationToken, CompletedAt = completedAt }
                        : counted;
                    return Decision.Write(next, next);
                },
                cancellationToken);
            if (run.CompletedAt is not null)
            {
                LogAnnounced(logger, campaignId, run.Sent, run.NoConsent, run.Failed);
                return DueWorkResult.Done;
            }
        }

        return DueWorkResult.Later(time.GetUtcNow());
    }

    public async Task<AnnouncementRun?> AnnouncementAsync(string campaignId, CancellationToken cancellationToken) =>
        (await announcements.FindAsync(DocumentKey.Single(campaignId), cancellationToken))?.Value;

    /// <summary>Schedules the next milestone of every campaign still to come (the entry is idempotent): a safety net run by the daily timer.</summary>
    public async Task<int> EnsureScheduledAsync(CancellationToken cancellationToken)
    {
        var scheduled = 0;
        foreach (var campaign in await EndingFromAsync(time.GetUtcNow().AddDays(-1), cancellationToken))
        {
            if (campaign.Next() is { } next)
            {
                await scheduler.ScheduleAsync(new DueWork(CampaignWork.Advance, campaign.Id, next.DueAt), cancellationToken);
                scheduled++;
            }
        }

        return scheduled;
    }

    public async Task<CampaignView> ViewAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var next = campaign.Next();
        var announcement = campaign.Announced ? await AnnouncementAsync(campaign.Id, cancellationToken) : null;
        return new CampaignView(campaign, PhaseOf(campaign, now), next?.DueAt, next?.Milestone, announcement, await ParticipantsAsync(campaign.Id, cancellationToken));
    }

    /// <summary>Distinct customers with a paid order attributed to the campaign (see <see cref="CampaignTally"/>).</summary>
    public async Task<long> ParticipantsAsync(string campaignId, CancellationToken cancellationToken) =>
        (await counters.ValuesAsync(CampaignCounters.ParticipantsPartition(campaignId), cancellationToken)).Values.Sum();

    /// <summary>Where a campaign stands by what it reached: preparing, scheduled, warmingUp, announced, live, ended, cancelled.</summary>
    public static string PhaseOf(Campaign campaign, DateTimeOffset now) => campaign.Status switch
    {
        CampaignStatus.Cancelled => "cancelled",
        CampaignStatus.Preparing => "preparing",
        _ when campaign.HasReached(CampaignMilestone.End) => "ended",
        _ when campaign.HasReached(CampaignMilestone.Start) => "live",
        _ when campaign.HasReached(CampaignMilestone.Announce) => "announced",
        _ when campaign.HasReached(CampaignMilestone.WarmUp) => "warmingUp",
        _ => "scheduled",
    };

    private async Task<Campaign> ToCampaignAsync(string idempotencyKey, CampaignRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var kind = request.Kind!.Value;
        DateTimeOffset startsAt, endsAt;
        string id;
        if (kind == CampaignKind.BrandDay)
        {
            var (year, month) = (int.Parse(request.Month![..4], CultureInfo.InvariantCulture), int.Parse(request.Month[5..], CultureInfo.InvariantCulture));
            if (!BrandDayRule.IsPlannableYear(year))
            {
                throw DomainException.Validation("month", "Must be a month of the years 2000–2999: yyyy-MM.");
            }

            (_, startsAt, endsAt) = BrandDayOf(year, month);
            id = await BrandDayToPlanAsync(year, month, cancellationToken);
        }
        else
        {
            (startsAt, endsAt) = (request.StartsAt!.Value.ToUniversalTime(), request.EndsAt!.Value.ToUniversalTime());
            id = NewId(endsAt, idempotencyKey);
        }

        if (endsAt <= now)
        {
            throw DomainException.Validation(kind == CampaignKind.BrandDay ? "month" : "endsAt", $"The campaign would already be over (it ends {endsAt:O}).");
        }

        DateTimeOffset? warmUp = kind == CampaignKind.Festival ? startsAt.AddDays(-options.WarmUpDays) : null;
        if (warmUp < now)
        {
            throw DomainException.Validation("startsAt", $"A festival starts at least {options.WarmUpDays} days ahead, after its warm-up (it would begin {warmUp:O}).");
        }

        DateTimeOffset? announceAt = null;
        if (request.Announce ?? kind == CampaignKind.Festival)
        {
            if (string.IsNullOrEmpty(options.AnnouncementTemplateId))
            {
                throw DomainException.Validation("announce", "No announcement template is configured (Campaigns:AnnouncementTemplateId); create the campaign with \"announce\": false.");
            }

            announceAt = startsAt.AddDays(-options.AnnounceDaysAhead);
            if (announceAt < now)
            {
                throw DomainException.Validation(kind == CampaignKind.BrandDay ? "month" : "startsAt", $"An announced campaign starts at least {options.AnnounceDaysAhead} days ahead (its announcement would be due {announceAt:O}); or set \"announce\": false.");
            }
        }

        var priceBps = request.PriceBps;
        var productIds = request.ProductIds?.Distinct(StringComparer.Ordinal).ToList() ?? [];
        var priceRuleId = priceBps is null ? null : OwnRuleId(id);
        var ownsPriceRule = priceBps is not null;
        if (request.PriceRuleId is { } linked)
        {
            var rule = await promotions.FindRuleAsync(linked, cancellationToken) ?? throw DomainException.Validation("priceRuleId", $"No price rule {linked}.");
            if (rule.WithdrawnAt is not null)
            {
                throw DomainException.Validation("priceRuleId", $"Price rule {linked} was withdrawn.");
            }

            if (rule.CampaignId is not null)
            {
                // Another campaign's own discount is that campaign's to withdraw: this one takes its terms
                // into a rule of its own, which runs (or is withdrawn) with this campaign alone.
                (priceRuleId, priceBps, productIds, ownsPriceRule) = (OwnRuleId(id), rule.PriceBps, rule.ProductIds.ToList(), true);
            }
            else if (!Campaign.RuleFits(rule.StartsAt, rule.EndsAt, startsAt, endsAt))
            {
                throw DomainException.Validation("priceRuleId", $"Price rule {linked} runs {rule.StartsAt:O}–{rule.EndsAt:O}, outside the campaign's {startsAt:O}–{endsAt:O}; its discount would outlast the campaign.");
            }
            else
            {
                (priceRuleId, priceBps, productIds, ownsPriceRule) = (rule.Id, rule.PriceBps, rule.ProductIds.ToList(), false);
            }
        }

        if (request.Presale is { SkuId: { } presaleSku })
        {
            // Checked now, not at the warm-up: a festival is not accepted with a presale that cannot open.
            try
            {
                _ = await catalog.GetSellableSkuAsync(presaleSku, cancellationToken);
            }
            catch (DomainException missing) when (missing.Code is ErrorCode.NotFound or ErrorCode.ProductNotOnSale)
            {
                throw DomainException.Validation("presale.skuId", $"SKU {presaleSku} is not on sale: {missing.Message}");
            }
        }

        return new Campaign
        {
            Id = id,
            Kind = kind,
            Name = request.Name!.Trim(),
            StartsAt = startsAt,
            EndsAt = endsAt,
            WarmUpStartsAt = warmUp,
            AnnounceAt = announceAt,
            PriceBps = priceBps,
            ProductIds = productIds,
            PriceRuleId = priceRuleId,
            OwnsPriceRule = ownsPriceRule,
            Presale = request.Presale is { } p
                ? new FestivalPresale(p.SkuId!, p.DepositFen!.Value, p.DepositValueFen!.Value, p.FinalPriceFen!.Value, p.DepositRefundable ?? false, p.BalanceHours ?? (int)Math.Ceiling((endsAt - startsAt).TotalHours))
                : null,
            Status = CampaignStatus.Preparing,
            CreatedAt = now,
        };
    }

    /// <summary>The same campaign asked for twice (a campaign's own rule id follows from its id, so only a linked rule is compared).</summary>
    private static bool SameTerms(Campaign a, Campaign b) =>
        a.Kind == b.Kind && a.Name == b.Name && a.StartsAt == b.StartsAt && a.EndsAt == b.EndsAt && a.WarmUpStartsAt == b.WarmUpStartsAt
        && (a.AnnounceAt is null) == (b.AnnounceAt is null) && a.PriceBps == b.PriceBps && a.OwnsPriceRule == b.OwnsPriceRule
        && (a.OwnsPriceRule || a.PriceRuleId == b.PriceRuleId) && a.ProductIds.SequenceEqual(b.ProductIds) && a.Presale == b.Presale;

    private static string OwnRuleId(string campaignId) => Ids.Derive("PR", "campaign", campaignId);

    /// <summary>
    /// The brand-day edition a request plans: the month's live one (the request then returns it or is refused
    /// as other terms), or, when the latest was cancelled, the next edition — so a cancelled brand day can
    /// be planned again, and still only one is live per month.
    /// </summary>
    private async Task<string> BrandDayToPlanAsync(int year, int month, CancellationToken cancellationToken)
    {
        if (await FindBrandDayAsync(year, month, cancellationToken) is not { } latest)
        {
            return BrandDayId(year, month);
        }

        if (latest.Campaign.Status != CampaignStatus.Cancelled)
        {
            return latest.Campaign.Id;
        }

        return latest.Edition + 1 < BrandDayRule.MaxEditions
            ? BrandDayId(year, month, latest.Edition + 1)
            : throw DomainException.Validation("month", $"The brand day of {year:D4}-{month:D2} was cancelled {BrandDayRule.MaxEditions} times; it cannot be planned again.");
    }

    /// <summary>Claims an Idempotency-Key for a campaign id (a conditional insert); returns the id the key belongs to.</summary>
    private async Task<string> ClaimKeyAsync(string idempotencyKey, string campaignId, CancellationToken cancellationToken)
    {
        var key = DocumentKey.Single(Ids.Derive("CK", "campaign-key", idempotencyKey));
        if ((await keys.FindAsync(key, cancellationToken))?.Value is { } found)
        {
            return found.CampaignId;
        }

        try
        {
            await keys.InsertAsync(key, new CampaignKeyClaim(campaignId, time.GetUtcNow()), [], cancellationToken);
            return campaignId;
        }
        catch (ConcurrencyConflictException)
        {
            return (await keys.FindAsync(key, cancellationToken))?.Value.CampaignId ?? throw new DomainException(ErrorCode.Busy, "The campaign is being created; retry with the same Idempotency-Key.");
        }
    }

    /// <summary>
    /// A campaign still preparing gets its own price rule (created once, under an id of its own), then is
    /// scheduled. A cancel may win in between: the rule is then withdrawn here too (whichever of the two
    /// comes last sees the other's write).
    /// </summary>
    private async Task<Campaign> PrepareAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        if (campaign.Status == CampaignStatus.Cancelled)
        {
            await WithdrawOwnRuleAsync(campaign, cancellationToken);
            return campaign;
        }

        if (campaign.Status != CampaignStatus.Preparing)
        {
            return campaign;
        }

        if (campaign.OwnsPriceRule)
        {
            await promotions.CreateRuleAsync(OwnRuleTerms(campaign), campaign.PriceRuleId!, cancellationToken, campaign.Id);
        }

        var prepared = await campaigns.UpdateAsync(
            KeyOf(campaign.Id),
            $"Campaign {campaign.Id}",
            c => c.Status == CampaignStatus.Preparing ? c with { Status = CampaignStatus.Scheduled } : c,
            cancellationToken);
        if (prepared.Status == CampaignStatus.Cancelled)
        {
            await WithdrawOwnRuleAsync(prepared, cancellationToken);
        }

        return prepared;
    }

    private static PriceRuleRequest OwnRuleTerms(Campaign campaign) =>
        new(campaign.Name, campaign.PriceBps, campaign.ProductIds, campaign.StartsAt, campaign.EndsAt, null, null);

    /// <summary>
    /// A cancelled campaign's own rule never applies: withdrawn if it exists, else inserted withdrawn under
    /// its id, so a creation still under way finds it (and inserts no running rule). Rules it linked are not its own.
    /// </summary>
    private async Task WithdrawOwnRuleAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        if (campaign.Status != CampaignStatus.Cancelled || !campaign.OwnsPriceRule)
        {
            return;
        }

        var rule = await promotions.CreateRuleAsync(OwnRuleTerms(campaign), campaign.PriceRuleId!, cancellationToken, campaign.Id, campaign.CancelledAt ?? time.GetUtcNow());
        if (rule.WithdrawnAt is null)
        {
            await promotions.WithdrawRuleAsync(rule, cancellationToken);
        }
    }

    /// <summary>The festival's presale: deposits through the warm-up, the balance from the start. Opened once (its id is the campaign's).</summary>
    private async Task<string?> OpenPresaleAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        if (campaign.Presale is not { } terms)
        {
            return null;
        }

        var presaleId = Ids.Derive("PS", "festival", campaign.Id);
        try
        {
            await presales.CreateCampaignAsync(
                new PresaleCampaignRequest { SkuId = terms.SkuId, DepositFen = terms.DepositFen, DepositValueFen = terms.DepositValueFen, FinalPriceFen = terms.FinalPriceFen, DepositStartsAt = campaign.WarmUpStartsAt, DepositEndsAt = campaign.StartsAt, BalanceStartsAt = campaign.StartsAt, BalanceEndsAt = campaign.StartsAt.AddHours(terms.BalanceHours), DepositRefundable = terms.DepositRefundable },
                presaleId,
                cancellationToken);
            return presaleId;
        }
        catch (DomainException refused)
        {
            // The SKU went off sale before the warm-up: the festival goes on without a presale, and says why.
            LogPresaleRefused(logger, campaign.Id, refused.Code.ToWire(), refused.Message);
            return null;
        }
    }

    private async Task BeginAnnouncementAsync(Campaign campaign, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await announcements.InsertAsync(DocumentKey.Single(campaign.Id), new AnnouncementRun { CampaignId = campaign.Id, StartedAt = now }, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Begun by a concurrent or earlier run.
        }

        await scheduler.ScheduleAsync(new DueWork(CampaignWork.Announce, campaign.Id, campaign.AnnounceAt!.Value), cancellationToken);
    }

    private async Task<MessageOutcome?> AnnounceToAsync(Campaign campaign, string templateId, string customerId, SendPacer pacer, CancellationToken cancellationToken)
    {
        var recipientKey = new DocumentKey(campaign.Id, customerId);
        try
        {
            await recipients.InsertAsync(recipientKey, new AnnouncementRecipient(campaign.Id, customerId, time.GetUtcNow()), [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Decided before (by this announcement's earlier or concurrent run): never a second message.
            return null;
        }

        var customer = await customers.GetAsync(customerId, cancellationToken);
        var message = new SubscribeMessage(customer.OpenId, templateId, options.AnnouncementPage, new Dictionary<string, string>
        {
            [AnnouncementNameKey] = campaign.Name,
            [AnnouncementDateKey] = ChinaTime.DayKey(ChinaTime.DateOf(campaign.StartsAt)),
        });
        var result = await subscriptions.SendAsync(customerId, $"campaign:{campaign.Id}", message, pacer.WaitTurnAsync, cancellationToken);
        await recipients.UpsertAsync(recipientKey, new AnnouncementRecipient(campaign.Id, customerId, time.GetUtcNow()) { Outcome = result.Outcome }, cancellationToken);
        return result.Outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} reached {Milestone} (due {DueAt}) at {ReachedAt}")]
    private static partial void LogReached(ILogger logger, string campaignId, CampaignMilestone milestone, DateTimeOffset dueAt, DateTimeOffset reachedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} announced: {Sent} sent, {NoConsent} without consent, {Failed} failed")]
    private static partial void LogAnnounced(ILogger logger, string campaignId, int sent, int noConsent, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Festival {CampaignId} opened no presale: {Code} {Detail}")]
    private static partial void LogPresaleRefused(ILogger logger, string campaignId, string code, string detail);
}
