using Mall.Application.Platform;

namespace Mall.Application.Membership;

internal sealed class MembershipOptionsValidator() : SettingsValidator<MembershipOptions>(MembershipOptions.SectionName)
{
    protected override void Check(MembershipOptions o, SettingChecks checks) => checks
        .AtLeast(o.PointsPerYuan, 0)
        .Positive(o.RedeemPointsPerYuan)
        .InRange(o.RedeemMaxShareBps, 0, 10_000)
        .Positive(o.BronzeLifetimeYuan)
        .InRange(o.GoldMonths, 1, 12);
}
