using Mall.Application.Platform;

namespace Mall.Application.Sharing;

internal sealed class SharingOptionsValidator() : SettingsValidator<SharingOptions>(SharingOptions.SectionName)
{
    protected override void Check(SharingOptions o, SettingChecks checks) => checks
        .InRange(o.LinkLifetimeDays, 1, 90)
        .That(o.LandingPath.StartsWith('/') && o.LandingPath.EndsWith('/'), nameof(o.LandingPath), "starts and ends with '/'", actual: o.LandingPath);
}
