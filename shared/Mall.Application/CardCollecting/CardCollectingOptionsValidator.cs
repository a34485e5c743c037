using Mall.Application.Platform;
using Mall.Domain.CardCollecting;

namespace Mall.Application.CardCollecting;

internal sealed class CardCollectingOptionsValidator() : SettingsValidator<CardCollectingOptions>(CardCollectingOptions.SectionName)
{
    protected override void Check(CardCollectingOptions o, SettingChecks checks) => checks
        .InRange(o.DefaultMissesBeforeGuarantee, 0, CardCampaign.MaxMissesBeforeGuarantee)
        .InRange(o.RedeemDaysAfterEnd, 0, 90);
}
