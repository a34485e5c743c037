using Mall.Application.Campaigns;
using Mall.Domain.Campaigns;
using Mall.Domain.Common;

namespace Mall.UnitTests.Campaigns;

public sealed class CampaignRulesTests
{
    /// <summary>Double 11 2026 in CST.</summary>
    private static readonly DateTimeOffset Double11 = new(2026, 11, 11, 0, 0, 0, TimeSpan.FromHours(8));

    private static Campaign Festival(DateTimeOffset startsAt, bool announced = true) => new()
    {
        Id = "CP202611AAAAAAAAAAAA",
        Kind = CampaignKind.Festival,
        Name = "双11",
        StartsAt = startsAt,
        EndsAt = startsAt.AddDays(3),
        WarmUpStartsAt = startsAt.AddDays(-15),
        AnnounceAt = announced ? startsAt.AddDays(-7) : null,
        ProductIds = ["P1"],
        PresaleCampaignId = "PS1",
        Status = CampaignStatus.Scheduled,
        CreatedAt = startsAt.AddDays(-30),
    };

    private static FlashSlotTemplate Template(string id, string slot, params DayOfWeek[] days) => new()
    {
        Id = id,
        SkuId = "S1",
        PriceFen = 3_900,
        Quantity = 50,
        PerCustomerLimit = 1,
        Slot = slot,
        DaysOfWeek = days,
        DurationMinutes = 60,
    };

    [Fact]
    public void Milestones_come_in_time_order_warm_up_fifteen_days_and_announcement_seven_days_ahead()
    {
        var milestones = Festival(Double11).Milestones();

        Assert.Equal(
            [(CampaignMilestone.WarmUp, Double11.AddDays(-15)), (CampaignMilestone.Announce, Double11.AddDays(-7)), (CampaignMilestone.Start, Double11), (CampaignMilestone.End, Double11.AddDays(3))],
            milestones);
    }

    [Fact]
    public void After_downtime_every_missed_milestone_is_due_one_after_the_other_and_none_twice()
    {
        var campaign = Festival(Double11);
        var late = Double11.AddDays(5);
        var reached = new List<CampaignMilestone>();
        var events = new List<IntegrationEvent>();
        while (campaign.NextDue(late) is { } due)
        {
            var (next, raised) = campaign.Reach(due.Milestone, late);
            reached.Add(due.Milestone);
            if (raised is not null)
            {
                events.Add(raised);
            }

            campaign = next;
        }

        Assert.Equal([CampaignMilestone.WarmUp, CampaignMilestone.Announce, CampaignMilestone.Start, CampaignMilestone.End], reached);
        Assert.Equal(["campaign:CP202611AAAAAAAAAAAA:started", "campaign:CP202611AAAAAAAAAAAA:ended"], events.Select(e => e.Id));
        Assert.Null(campaign.Next());
        Assert.Throws<InvalidOperationException>(() => campaign.Reach(CampaignMilestone.End, late));
    }

    [Fact]
    public void A_milestone_is_not_reached_before_its_time_nor_out_of_order()
    {
        var campaign = Festival(Double11);

        Assert.Null(campaign.NextDue(Double11.AddDays(-15).AddSeconds(-1)));
        Assert.Throws<InvalidOperationException>(() => campaign.Reach(CampaignMilestone.Start, Double11));
        Assert.Equal(CampaignMilestone.WarmUp, campaign.NextDue(Double11)!.Value.Milestone);
    }

    [Fact]
    public void A_campaign_can_be_cancelled_only_before_its_first_milestone()
    {
        var campaign = Festival(Double11);
        var cancelled = campaign.Cancel(Double11.AddDays(-20));
        var warmingUp = campaign.Reach(CampaignMilestone.WarmUp, Double11.AddDays(-15)).Campaign;

        Assert.Equal(CampaignStatus.Cancelled, cancelled.Status);
        Assert.Null(cancelled.Next());
        Assert.Equal(ErrorCode.InvalidOrderState, Assert.Throws<DomainException>(() => warmingUp.Cancel(Double11)).Code);
    }

    [Fact]
    public void A_cancel_is_refused_once_the_start_passed_or_a_run_began_setting_effects_going()
    {
        var campaign = Festival(Double11) with { Presale = new FestivalPresale("S1", 10_000, 15_000, 30_000, false, 48), PresaleCampaignId = null };
        var warmUpDue = Double11.AddDays(-14);

        // The warm-up is due but no run began it: nothing went out, so the cancel is accepted.
        Assert.Equal(CampaignStatus.Cancelled, campaign.Cancel(warmUpDue).Status);
        Assert.Equal(CampaignStatus.Cancelled, (campaign with { Status = CampaignStatus.Preparing }).Cancel(warmUpDue).Status);

        // A run marked the warm-up (its presale may be open): refused, and the run may go on.
        var marked = campaign.BeginReaching(CampaignMilestone.WarmUp, warmUpDue);
        Assert.Equal(CampaignMilestone.WarmUp, marked.Reaching);
        Assert.Equal(ErrorCode.InvalidOrderState, Assert.Throws<DomainException>(() => marked.Cancel(warmUpDue)).Code);
        Assert.Null(marked.Reach(CampaignMilestone.WarmUp, warmUpDue).Campaign.Reaching);

        // The start passed (the price rule applies at checkout), whatever the timer recorded.
        var discount = campaign with { Kind = CampaignKind.Discount, WarmUpStartsAt = null, AnnounceAt = null, Presale = null };
        Assert.Equal(ErrorCode.InvalidOrderState, Assert.Throws<DomainException>(() => discount.Cancel(Double11.AddMinutes(5))).Code);
        Assert.Equal(CampaignStatus.Cancelled, discount.Cancel(Double11.AddMinutes(-5)).Status);
    }

    [Fact]
    public void A_milestone_with_effects_is_reached_only_after_a_run_began_it()
    {
        var campaign = Festival(Double11) with { Presale = new FestivalPresale("S1", 10_000, 15_000, 30_000, false, 48) };

        Assert.Throws<InvalidOperationException>(() => campaign.Reach(CampaignMilestone.WarmUp, Double11.AddDays(-15)));
        Assert.Throws<InvalidOperationException>(() => campaign.BeginReaching(CampaignMilestone.Announce, Double11.AddDays(-15)));
        var warm = campaign.BeginReaching(CampaignMilestone.WarmUp, Double11.AddDays(-15)).Reach(CampaignMilestone.WarmUp, Double11.AddDays(-15)).Campaign;

        var announceDue = Double11.AddDays(-7);
        Assert.True(warm.HasEffects(CampaignMilestone.Announce, announceDue));
        Assert.Throws<InvalidOperationException>(() => warm.Reach(CampaignMilestone.Announce, announceDue));
        var announced = warm.BeginReaching(CampaignMilestone.Announce, announceDue).Reach(CampaignMilestone.Announce, announceDue).Campaign;
        Assert.False(announced.Reached[^1].Skipped);
        Assert.True(announced.Announced);
        Assert.True(announced.MayAnnounce(Double11.AddSeconds(-1)));
        Assert.False(announced.MayAnnounce(Double11));
    }

    [Fact]
    public void A_pre_announcement_first_reached_after_its_start_is_skipped_and_the_campaign_counts_as_unannounced()
    {
        var campaign = Festival(Double11);
        var late = Double11.AddHours(1);
        var warm = campaign.Reach(CampaignMilestone.WarmUp, late).Campaign;

        Assert.False(warm.HasEffects(CampaignMilestone.Announce, late));
        var skipped = warm.Reach(CampaignMilestone.Announce, late).Campaign;
        var (started, raised) = skipped.Reach(CampaignMilestone.Start, late);

        Assert.True(skipped.Reached[^1].Skipped);
        Assert.False(started.Announced);
        Assert.False(Assert.IsType<CampaignStarted>(raised).Announced);
    }

    [Fact]
    public void A_linked_rule_fits_only_within_the_campaign_and_brand_days_only_in_years_2000_to_2999()
    {
        var (start, end) = (Double11, Double11.AddDays(3));

        Assert.True(Campaign.RuleFits(start, end, start, end));
        Assert.True(Campaign.RuleFits(start.AddDays(1), end, start, end));
        Assert.False(Campaign.RuleFits(start, end.AddDays(19), start, end));
        Assert.False(Campaign.RuleFits(start.AddDays(-1), end, start, end));
        Assert.False(BrandDayRule.IsPlannableYear(0));
        Assert.False(BrandDayRule.IsPlannableYear(3000));
        Assert.True(BrandDayRule.IsPlannableYear(2026));
    }

    [Fact]
    public void Orders_count_for_a_campaign_within_its_window_warm_up_included_and_for_its_products_or_presale()
    {
        var campaign = Festival(Double11);

        Assert.True(campaign.Attributes(Double11.AddDays(-10), ["P1"], null));
        Assert.True(campaign.Attributes(Double11.AddDays(-10), ["P9"], "PS1"));
        Assert.False(campaign.Attributes(Double11.AddDays(-10), ["P9"], null));
        Assert.False(campaign.Attributes(Double11.AddDays(-16), ["P1"], null));
        Assert.False(campaign.Attributes(Double11.AddDays(3), ["P1"], null));
        Assert.True((campaign with { ProductIds = [] }).Attributes(Double11, ["P9"], null));
    }

    [Theory]
    [InlineData(2026, 12, DayOfWeek.Friday, 18)]
    [InlineData(2026, 11, DayOfWeek.Sunday, 15)]
    [InlineData(2027, 2, DayOfWeek.Monday, 15)]
    [InlineData(2027, 1, DayOfWeek.Thursday, 21)]
    public void The_brand_day_is_the_weekday_of_the_third_week(int year, int month, DayOfWeek day, int expectedDay)
    {
        var date = BrandDayRule.DateIn(year, month, 3, day);

        Assert.Equal(new DateOnly(year, month, expectedDay), date);
        Assert.Equal(day, date.DayOfWeek);
        Assert.InRange(date.Day, 15, 21);
    }

    [Fact]
    public void Shares_and_lift_are_basis_points_rounded_down()
    {
        Assert.Equal(2_800, BasisPoints.Share(28_000, 100_000));
        Assert.Equal(3_333, BasisPoints.Share(1, 3));
        Assert.Null(BasisPoints.Share(5, 0));
        Assert.Equal(30_000, BasisPoints.Lift(announcedParticipants: 60, announcedCampaigns: 2, unannouncedParticipants: 30, unannouncedCampaigns: 3));
        Assert.Null(BasisPoints.Lift(10, 1, 0, 2));
        Assert.Null(BasisPoints.Lift(10, 0, 5, 2));
    }

    [Fact]
    public void Templates_plan_their_weekdays_in_cst_skip_slots_already_over_and_keep_one_key_per_template_and_day()
    {
        var book = new FlashSlotTemplateBook()
            .Add(Template("T1", "09:00", DayOfWeek.Wednesday, DayOfWeek.Thursday))
            .Add(Template("T2", "21:00", Enum.GetValues<DayOfWeek>()));
        var wednesday = new DateOnly(2026, 12, 2);
        var tenOClock = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.FromHours(8));

        var plan = book.Plan(wednesday, 3, tenOClock);

        Assert.Equal(
            ["T2 2026-12-02T13:00:00Z", "T1 2026-12-03T01:00:00Z", "T2 2026-12-03T13:00:00Z", "T2 2026-12-04T13:00:00Z"],
            plan.Select(p => $"{p.Template.Id} {p.StartsAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}"));
        Assert.Equal("slot-T1-20261203", plan[1].IdempotencyKey);

        // Moved to another slot, the template keeps its key per day: a day already planned keeps its one sale.
        var moved = book.Replace(Template("T1", "21:00", DayOfWeek.Wednesday, DayOfWeek.Thursday));
        Assert.Equal(plan[1].IdempotencyKey, moved.Plan(wednesday, 3, tenOClock).Single(p => p.Template.Id == "T1" && p.Day == plan[1].Day).IdempotencyKey);
        Assert.Equal(plan.Select(p => p.IdempotencyKey), book.Plan(wednesday, 3, tenOClock).Select(p => p.IdempotencyKey));
        Assert.Equal(2, book.Version);
    }

    [Fact]
    public void A_paused_template_plans_nothing_and_the_book_is_bounded()
    {
        var book = new FlashSlotTemplateBook().Add(Template("T1", "09:00", DayOfWeek.Wednesday) with { Active = false });
        Assert.Empty(book.Plan(new DateOnly(2026, 12, 2), 7, DateTimeOffset.MinValue));

        var full = Enumerable.Range(0, FlashSlotTemplateBook.MaxTemplates).Aggregate(new FlashSlotTemplateBook(), (b, i) => b.Add(Template($"T{i}", "09:00")));
        Assert.Equal("skuId", Assert.Throws<DomainException>(() => full.Add(Template("one-more", "09:00"))).FieldErrors!.Keys.Single());
    }

    [Fact]
    public void Campaign_requests_name_the_field_that_is_wrong()
    {
        var validator = new CampaignRequestValidator();
        string[] Fields(CampaignRequest r) => validator.Validate(r).Errors.Select(e => e.PropertyName).Distinct().Order().ToArray();
        var start = Double11;

        Assert.Empty(Fields(new CampaignRequest { Kind = CampaignKind.Discount, Name = "冬季茶礼", StartsAt = start, EndsAt = start.AddDays(2), PriceBps = 8_000, ProductIds = ["P1"], Announce = false }));
        Assert.Empty(Fields(new CampaignRequest { Kind = CampaignKind.BrandDay, Name = "品牌日", Month = "2026-12", PriceBps = 8_500 }));
        Assert.Equal(["EndsAt"], Fields(new CampaignRequest { Kind = CampaignKind.Discount, Name = "x", StartsAt = start, EndsAt = start.AddDays(-1), PriceBps = 8_000 }));
        Assert.Equal(["Month"], Fields(new CampaignRequest { Kind = CampaignKind.BrandDay, Name = "x", Month = "2026-13", PriceBps = 8_000 }));
        Assert.Equal(["Name"], Fields(new CampaignRequest { Kind = CampaignKind.Discount, Name = "一二三四五六七八九十一二三四五六七八九十一", StartsAt = start, EndsAt = start.AddDays(1), PriceBps = 8_000 }));
        Assert.Equal(["Presale"], Fields(new CampaignRequest { Kind = CampaignKind.Festival, Name = "双11", StartsAt = start, EndsAt = start.AddDays(1) }));
        Assert.Equal(["presale.finalPriceFen"], Fields(new CampaignRequest { Kind = CampaignKind.Festival, Name = "双11", StartsAt = start, EndsAt = start.AddDays(1), Presale = new FestivalPresaleRequest { SkuId = "S1", DepositFen = 10_000, DepositValueFen = 15_000, FinalPriceFen = 12_000, DepositRefundable = false } }));
        Assert.Equal(["PriceBps"], Fields(new CampaignRequest { Kind = CampaignKind.Discount, Name = "x", StartsAt = start, EndsAt = start.AddDays(1) }));
    }

    [Fact]
    public void Template_requests_name_the_field_that_is_wrong()
    {
        var validator = new FlashSlotTemplateRequestValidator();

        Assert.True(validator.Validate(new FlashSlotTemplateRequest { SkuId = "S1", PriceFen = 3_900, Quantity = 50, PerCustomerLimit = 1, Slot = "15:00", DaysOfWeek = [DayOfWeek.Monday], DurationMinutes = 60 }).IsValid);
        Assert.Equal(["Slot"], validator.Validate(new FlashSlotTemplateRequest { SkuId = "S1", PriceFen = 3_900, Quantity = 50, PerCustomerLimit = 1, Slot = "9:00" }).Errors.Select(e => e.PropertyName));
        Assert.Equal(["Quantity"], validator.Validate(new FlashSlotTemplateRequest { SkuId = "S1", PriceFen = 3_900, Quantity = 0, PerCustomerLimit = 1, Slot = "09:00" }).Errors.Select(e => e.PropertyName));
    }
}
