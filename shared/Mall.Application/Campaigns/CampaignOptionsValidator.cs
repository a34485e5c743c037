using Mall.Application.Platform;

namespace Mall.Application.Campaigns;

internal sealed class CampaignOptionsValidator() : SettingsValidator<CampaignOptions>(CampaignOptions.SectionName)
{
    protected override void Check(CampaignOptions o, SettingChecks checks) => checks
        .InRange(o.FlashDaysAhead, 0, 13)
        .InRange(o.WarmUpDays, 0, 60)
        .InRange(o.AnnounceDaysAhead, 0, 60)
        .Positive(o.MessagesPerSecond)
        .AtLeast(o.AnnouncementPageSize, 1)
        .AtLeast(o.AnnouncementPagesPerRun, 1)
        .InRange(o.BrandDayWeekOfMonth, 1, 4)
        .InRange(o.BrandDayDays, 1, 7)
        .InRange(o.BrandDayTargetShareBps, 0, 10_000)
        .AtLeast(o.AnnouncementTargetLiftBps, 0);
}
