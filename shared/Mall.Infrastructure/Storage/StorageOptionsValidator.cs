using Mall.Application.Platform;

namespace Mall.Infrastructure.Storage;

internal sealed class StorageOptionsValidator() : SettingsValidator<StorageOptions>(StorageOptions.SectionName)
{
    protected override void Check(StorageOptions o, SettingChecks checks) =>
        checks.That(!string.IsNullOrEmpty(o.ConnectionString) || (o.TableServiceUri is not null && o.QueueServiceUri is not null), nameof(o.ConnectionString),
            "is required unless Storage:TableServiceUri and Storage:QueueServiceUri are set (Azure, managed identity)");
}
