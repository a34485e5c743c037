using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Compliance;
using Mall.Application.Platform;
using Mall.Domain.Campaigns;
using Mall.Domain.Compliance;
using Mall.Domain.FlashSale;

namespace Mall.Application.Campaigns;

public sealed class CampaignOptions
{
    public const string SectionName = "Campaigns";

    /// <summary>Flash sales are created from the templates for today and this many following CST days.</summary>
    public int FlashDaysAhead { get; set; } = 2;

    /// <summary>A festival's warm-up 预热 before its start (seed: 15 days), when its presale takes deposits.</summary>
    public int WarmUpDays { get; set; } = 15;

    /// <summary>How long before its start an announced campaign is announced (seed: 7 days).</summary>
    public int AnnounceDaysAhead { get; set; } = 7;

    /// <summary>The subscribe-message template of pre-announcements; empty: no campaign can be announced.</summary>
    public string? AnnouncementTemplateId { get; set; }

    public string AnnouncementPage { get; set; } = "pages/index/index";

    /// <summary>Subscribe messages per second, below WeChat's send limits.</summary>
    public double MessagesPerSecond { get; set; } = 20;

    /// <summary>Consents read per page of an announcement (one checkpoint per page).</summary>
    public int AnnouncementPageSize { get; set; } = 200;

    /// <summary>Pages one timer run sends before it hands over to the next run (so a run stays well inside the function timeout).</summary>
    public int AnnouncementPagesPerRun { get; set; } = 20;

    /// <summary>The brand day is this week of the month (seed: the third) …</summary>
    public int BrandDayWeekOfMonth { get; set; } = 3;

    /// <summary>… on this weekday …</summary>
    public DayOfWeek BrandDayOfWeek { get; set; } = DayOfWeek.Friday;

    /// <summary>… for this many days.</summary>
    public int BrandDayDays { get; set; } = 1;

    /// <summary>The brand day's target share of the month's GMV (seed: 28%).</summary>
    public int BrandDayTargetShareBps { get; set; } = 2_800;

    /// <summary>The participation an announcement should bring, as a multiple of an unannounced campaign's (seed: 3×).</summary>
    public int AnnouncementTargetLiftBps { get; set; } = 30_000;
}

public sealed record FlashSlotTemplateRequest
{
    public string? SkuId { get; init; }

    public long? PriceFen { get; init; }

    public int? Quantity { get; init; }

    public int? PerCustomerLimit { get; init; }

    /// <summary>A flash-sale slot, "HH:mm" CST.</summary>
    public string? Slot { get; init; }

    /// <summary>The weekdays it runs on ("monday"…); empty or absent: every day.</summary>
    public IReadOnlyList<DayOfWeek>? DaysOfWeek { get; init; }

    public int? DurationMinutes { get; init; }

    public bool? Active { get; init; }

    public UnlockedBy? UnlockedBy { get; init; }

    public CampaignTerms ComplianceTerms(string? templateId) => new(CampaignMechanic.FlashSlotTemplate, templateId) { Rewards = UnlockedByTerms.Rewards(UnlockedBy, RewardForm.PriceCut) };
}

public sealed class FlashSlotTemplateRequestValidator : AbstractValidator<FlashSlotTemplateRequest>
{
    public FlashSlotTemplateRequestValidator()
    {
        RuleFor(r => r.SkuId).NotEmpty().MustBeAnId();
        RuleFor(r => r.PriceFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen);
        RuleFor(r => r.Quantity).NotNull().InclusiveBetween(1, FlashSaleSession.MaxQuantity);
        RuleFor(r => r.PerCustomerLimit).InclusiveBetween(1, 100);
        // Which slots exist is a setting, checked against FlashSaleOptions.Slots when the template is saved.
        RuleFor(r => r.Slot).NotEmpty().Matches(@"^([01]\d|2[0-3]):[0-5]\d$").WithMessage("Must be a time of day, HH:mm (CST).");
        RuleFor(r => r.DaysOfWeek).Must(d => d is null || d.Count <= 7).WithMessage("At most the 7 days of the week.");
        RuleForEach(r => r.DaysOfWeek).IsInEnum();
        RuleFor(r => r.DurationMinutes).InclusiveBetween(1, 24 * 60);
        RuleFor(r => r.UnlockedBy).IsInEnum();
    }
}

/// <summary>What a festival's presale sells; its deposit window is the warm-up, its balance window opens at the start.</summary>
public sealed record FestivalPresaleRequest
{
    public string? SkuId { get; init; }

    public long? DepositFen { get; init; }

    public long? DepositValueFen { get; init; }

    public long? FinalPriceFen { get; init; }

    public bool? DepositRefundable { get; init; }

    public int? BalanceHours { get; init; }
}

public sealed record CampaignRequest
{
    public CampaignKind? Kind { get; init; }

    public string? Name { get; init; }

    /// <summary>A brand day's month ("2026-12"); its date follows from the settings.</summary>
    public string? Month { get; init; }

    /// <summary>A discount's or festival's start (a brand day's follows from its month).</summary>
    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>A discount of its own: what customers pay in basis points of the listed price.</summary>
    public int? PriceBps { get; init; }

    public IReadOnlyList<string>? ProductIds { get; init; }

    /// <summary>Or an existing limited-time discount to put on the calendar.</summary>
    public string? PriceRuleId { get; init; }

    /// <summary>Send the pre-announcement (default: festivals yes, others no).</summary>
    public bool? Announce { get; init; }

    public FestivalPresaleRequest? Presale { get; init; }

    public UnlockedBy? UnlockedBy { get; init; }

    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.CalendarCampaign, null) { Rewards = UnlockedByTerms.Rewards(UnlockedBy, RewardForm.PriceCut) };
}

public sealed class CampaignRequestValidator : AbstractValidator<CampaignRequest>
{
    public CampaignRequestValidator()
    {
        RuleFor(r => r.Kind).NotNull().IsInEnum();
        RuleFor(r => r.UnlockedBy).IsInEnum();
        // The name goes into the announcement's thing field: WeChat takes at most 20 characters.
        RuleFor(r => r.Name).NotEmpty().MaximumLength(20);
        RuleFor(r => r.Month).NotEmpty().Matches(@"^\d{4}-(0[1-9]|1[0-2])$").WithMessage("Must be a month: yyyy-MM.").When(r => r.Kind == CampaignKind.BrandDay);
        RuleFor(r => r.Month).Null().WithMessage("Only a brand day has a month; give startsAt and endsAt.").When(r => r.Kind != CampaignKind.BrandDay);
        RuleFor(r => r.StartsAt).Null().WithMessage("A brand day's dates follow from its month.").When(r => r.Kind == CampaignKind.BrandDay);
        RuleFor(r => r.EndsAt).Null().WithMessage("A brand day's dates follow from its month.").When(r => r.Kind == CampaignKind.BrandDay);
        RuleFor(r => r.StartsAt).NotNull().When(r => r.Kind is CampaignKind.Discount or CampaignKind.Festival);
        RuleFor(r => r.EndsAt).NotNull().When(r => r.Kind is CampaignKind.Discount or CampaignKind.Festival);
        RuleFor(r => r.EndsAt).GreaterThan(r => r.StartsAt).WithMessage("Must be after startsAt.").When(r => r.StartsAt is not null && r.EndsAt is not null);
        RuleFor(r => r.EndsAt).Must((r, end) => end - r.StartsAt <= TimeSpan.FromDays(31)).WithMessage("A campaign lasts at most 31 days.")
            .When(r => r.StartsAt is not null && r.EndsAt is not null);
        RuleFor(r => r.PriceBps).InclusiveBetween(100, 9_999).WithMessage("What the customer pays in basis points of the listed price: 100–9999 (8000 = 20% off).");
        RuleFor(r => r.PriceBps).Null().WithMessage("Give priceBps (a discount of its own) or priceRuleId (an existing one), not both.").When(r => r.PriceRuleId is not null);
        RuleFor(r => r.PriceBps).NotNull().WithMessage("A discount needs priceBps or priceRuleId.").When(r => r.Kind is CampaignKind.Discount or CampaignKind.BrandDay && r.PriceRuleId is null);
        RuleFor(r => r.PriceRuleId).MustBeAnId();
        RuleFor(r => r.ProductIds).Must(ids => ids is null || ids.Count <= Campaign.MaxProducts).WithMessage($"At most {Campaign.MaxProducts} products.");
        RuleForEach(r => r.ProductIds).NotEmpty().MustBeAnId();
        RuleFor(r => r.ProductIds).Must(ids => ids is null || ids.Count == 0).WithMessage("A linked price rule brings its own products.").When(r => r.PriceRuleId is not null);
        RuleFor(r => r.Presale).NotNull().WithMessage("A festival's warm-up runs a presale: give its SKU, deposit, deposit value and final price.").When(r => r.Kind == CampaignKind.Festival);
        RuleFor(r => r.Presale).Null().WithMessage("Only a festival has a presale.").When(r => r.Kind is CampaignKind.Discount or CampaignKind.BrandDay);
        When(r => r.Presale is not null, () =>
        {
            RuleFor(r => r.Presale!.SkuId).NotEmpty().MustBeAnId().OverridePropertyName("presale.skuId");
            RuleFor(r => r.Presale!.DepositFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen).OverridePropertyName("presale.depositFen");
            RuleFor(r => r.Presale!.DepositValueFen).NotNull().GreaterThanOrEqualTo(r => r.Presale!.DepositFen ?? 0)
                .WithMessage("The deposit must be worth at least what it costs.").OverridePropertyName("presale.depositValueFen");
            RuleFor(r => r.Presale!.FinalPriceFen).NotNull().GreaterThan(r => r.Presale!.DepositValueFen ?? 0).LessThanOrEqualTo(ProductRequestValidator.MaxPriceFen)
                .WithMessage("The final price must exceed the deposit's value, so there is a balance to pay.").OverridePropertyName("presale.finalPriceFen");
            RuleFor(r => r.Presale!.BalanceHours).InclusiveBetween(1, 24 * 31).OverridePropertyName("presale.balanceHours");
        });
    }
}

/// <summary>One day's planning of flash sales from the templates (one per CST day and template version).</summary>
public sealed record FlashPlanRun : IDailyRun
{
    public const int MaxFailures = 50;

    public required DateOnly Day { get; init; }

    public required int TemplatesVersion { get; init; }

    public required DateTimeOffset RanAt { get; init; }

    /// <summary>Sales the templates asked for (created now or found created).</summary>
    public int Planned { get; init; }

    public int Scheduled { get; init; }

    /// <summary>Days that kept the sale an earlier version of the template created (moved to another slot, repriced…).</summary>
    public int Kept { get; init; }

    /// <summary>Slots refused (out of stock, overlapping another sale of the SKU, SKU off sale…), the first few.</summary>
    public IReadOnlyList<FlashPlanFailure> Failures { get; init; } = [];

    public int FailureCount { get; init; }
}

public sealed record FlashPlanFailure(string TemplateId, DateOnly Day, string Code, string Message);

/// <summary>A campaign's pre-announcement, checkpointed after each page of consents so a crash resumes.</summary>
public sealed record AnnouncementRun
{
    public required string CampaignId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The page to read next (null at the start, and once done).</summary>
    public string? ContinuationToken { get; init; }

    public int Pages { get; init; }

    public int Sent { get; init; }

    /// <summary>Customers whose consent was used up, or who refused the template at WeChat.</summary>
    public int NoConsent { get; init; }

    /// <summary>Not delivered: WeChat unavailable or the message refused (the subscription kept).</summary>
    public int Failed { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>One customer's pre-announcement of one campaign: inserted before sending, so it is decided once.</summary>
public sealed record AnnouncementRecipient(string CampaignId, string CustomerId, DateTimeOffset DecidedAt)
{
    public Domain.Notifications.MessageOutcome? Outcome { get; init; }
}

/// <summary>An Idempotency-Key of campaign creation and the campaign it belongs to (inserted once, so a key names one campaign whatever month it ends in).</summary>
public sealed record CampaignKeyClaim(string CampaignId, DateTimeOffset ClaimedAt);

/// <summary>A campaign and where it stands, for the operator.</summary>
public sealed record CampaignView(Campaign Campaign, string Phase, DateTimeOffset? NextMilestoneAt, CampaignMilestone? NextMilestone, AnnouncementRun? Announcement, long Participants);

/// <summary>One flash slot of the calendar: what a template asks for and the sale it became (if created yet).</summary>
public sealed record CalendarSlot(string TemplateId, DateOnly Day, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string SkuId, long PriceFen, int Quantity, string? SaleId, FlashSalePhase? Phase);

public sealed record CalendarAnnouncement(string CampaignId, string Name, DateTimeOffset At, string Status, int Sent);

public sealed record CalendarBrandDay(DateOnly Date, string? CampaignId);

public sealed record CalendarView(
    DateOnly From,
    int Days,
    IReadOnlyList<CalendarSlot> FlashSlots,
    IReadOnlyList<FlashSaleSession> OtherFlashSales,
    IReadOnlyList<CampaignView> Campaigns,
    IReadOnlyList<CalendarAnnouncement> Announcements,
    IReadOnlyList<CalendarBrandDay> BrandDays,
    IReadOnlyList<FlashPlanRun> PlanRuns);

/// <param name="ShareBps">The brand day's GMV over the month's, in basis points (null: no GMV yet).</param>
public sealed record BrandDayReport(string Month, DateOnly Date, int Days, string? CampaignId, long BrandDayGmvFen, long MonthGmvFen, long? ShareBps, int TargetShareBps, string Definition);

public sealed record ParticipationCampaign(string CampaignId, string Name, CampaignKind Kind, bool Announced, DateTimeOffset StartsAt, DateTimeOffset EndsAt, long Participants);

/// <param name="LiftBps">Average participants of an announced campaign over an unannounced one's, in basis points (30000 = 3×).</param>
public sealed record ParticipationReport(
    int AnnouncedCampaigns,
    long AnnouncedParticipants,
    int UnannouncedCampaigns,
    long UnannouncedParticipants,
    long? LiftBps,
    int TargetLiftBps,
    IReadOnlyList<ParticipationCampaign> Campaigns,
    string Definition);
