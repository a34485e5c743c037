using Mall.Application.Platform;

namespace Mall.Application.Distribution;

internal sealed class DistributionOptionsValidator() : SettingsValidator<DistributionOptions>(DistributionOptions.SectionName)
{
    protected override void Check(DistributionOptions o, SettingChecks checks) =>
        checks.AtLeast(o.SettleAfterCompletionSeconds, 0);
}
