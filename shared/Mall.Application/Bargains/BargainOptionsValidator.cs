using Mall.Application.Platform;
using Mall.Domain.Bargains;

namespace Mall.Application.Bargains;

internal sealed class BargainOptionsValidator() : SettingsValidator<BargainOptions>(BargainOptions.SectionName)
{
    protected override void Check(BargainOptions o, SettingChecks checks) => checks
        .InRange(o.DefaultHelpsToFloor, 1, Bargain.MostHelps)
        .InRange(o.DefaultTimeLimitHours, 1, BargainCampaignRequestValidator.MaxTimeLimitHours);
}
