using Mall.Application.Platform;
using Mall.Domain.Compliance;

namespace Mall.Application.Promotions;

internal sealed class PromotionOptionsValidator() : SettingsValidator<PromotionOptions>(PromotionOptions.SectionName)
{
    protected override void Check(PromotionOptions o, SettingChecks checks) => checks
        .That(o.Gift.ToOption() is not { } gift || !ComplianceRules.PaidAddOnTickedByDefault(gift.PriceFen, gift.SelectedByDefault), "o.Gift.SelectedByDefault",
            "must be false for a paid gift", "a paid add-on cannot be ticked by default (E-commerce Law art. 19); set it to false or Gift:PriceFen to 0")
        .InRange(o.MemberDayOfMonth, 0, 28)
        .InRange(o.MemberDayPriceBps, 100, 10_000);
}
