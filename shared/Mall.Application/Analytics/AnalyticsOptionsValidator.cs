using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Application.Analytics;

internal sealed class AnalyticsOptionsValidator() : SettingsValidator<AnalyticsOptions>(AnalyticsOptions.SectionName)
{
    protected override void Check(AnalyticsOptions o, SettingChecks checks)
    {
        checks
            .InRange(o.MaxEventsPerBatch, 1, 50, "a batch is one transaction of at most 100 rows")
            .InRange(o.MaxEventAgeHours, 1, 24 * 7)
            .AtLeast(o.MaxClockSkewMinutes, 0)
            .InRange(o.CloseHourAfterMinutes, 1, 120)
            .AtLeast(o.EscalateAfterMinutes, 1)
            .AtLeast(o.LiveCountCacheSeconds, 0)
            .AtLeast(o.LiveFoldCacheSeconds, 0);
        var rules = o.Rules();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            checks
                .That(Ids.IsWellFormed(rule.Id), $"AlertRules:{i}:Id", "is a well-formed id", actual: rule.Id)
                .That(rules.Count(r => r.Id == rule.Id) == 1, $"AlertRules:{i}:Id", "is used by no other rule", actual: rule.Id)
                .That(rule.WindowPeriods >= 1, $"AlertRules:{i}:WindowPeriods", "must be at least 1", actual: rule.WindowPeriods.ToString())
                .That(rule.ConsecutivePeriods >= 1, $"AlertRules:{i}:ConsecutivePeriods", "must be at least 1", actual: rule.ConsecutivePeriods.ToString())
                .That(rule.MinimumBase >= 0, $"AlertRules:{i}:MinimumBase", "must not be negative", actual: rule.MinimumBase.ToString());
        }
    }
}
