using Mall.Application.Platform;

namespace Mall.Application.Reactivation;

internal sealed class ReactivationOptionsValidator() : SettingsValidator<ReactivationOptions>(ReactivationOptions.SectionName)
{
    protected override void Check(ReactivationOptions o, SettingChecks checks) => checks
        .Positive(o.MessagesPerSecond)
        .Positive(o.PageSize)
        .Positive(o.Concurrency);
}
