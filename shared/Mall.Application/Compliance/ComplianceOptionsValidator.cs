using Mall.Application.Platform;

namespace Mall.Application.Compliance;

internal sealed class ComplianceOptionsValidator() : SettingsValidator<ComplianceOptions>(ComplianceOptions.SectionName)
{
    protected override void Check(ComplianceOptions o, SettingChecks checks) => checks
        .InRange(o.PayoutChannelCapBps, 0, 10_000, "basis points of an order");
}
