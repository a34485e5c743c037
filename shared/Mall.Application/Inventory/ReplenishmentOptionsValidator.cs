using Mall.Application.Platform;

namespace Mall.Application.Inventory;

internal sealed class ReplenishmentOptionsValidator() : SettingsValidator<ReplenishmentOptions>(ReplenishmentOptions.SectionName)
{
    protected override void Check(ReplenishmentOptions o, SettingChecks checks) => checks
        .InRange(o.LeadTimeHours, 1, 1440)
        .InRange(o.ServiceLevelBps, 5000, 9999)
        .InRange(o.HistoryDays, 7, 91)
        .InRange(o.ReviewDays, 1, 90)
        .InRange(o.SmoothingBps, 1, 10_000)
        .AtLeast(o.TurnoverGoalPerMonth, 1)
        .InRange(o.PageSize, 1, 1000)
        .InRange(o.ReadConcurrency, 1, 64);
}
