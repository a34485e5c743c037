using Mall.Application.Platform;

namespace Mall.Infrastructure.Security;

internal sealed class DataProtectionOptionsValidator(MallEnvironment environment) : SettingsValidator<DataProtectionOptions>(DataProtectionOptions.SectionName)
{
    protected override void Check(DataProtectionOptions o, SettingChecks checks) =>
        checks.NoLocalOnlyValue(environment, o.DataProtectionKey);
}
