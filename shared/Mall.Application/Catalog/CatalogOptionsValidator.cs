using Mall.Application.Platform;

namespace Mall.Application.Catalog;

internal sealed class CatalogOptionsValidator() : SettingsValidator<CatalogOptions>(CatalogOptions.SectionName)
{
    protected override void Check(CatalogOptions o, SettingChecks checks) => checks
        .AtLeast(o.ReferencePriceLookbackDays, 1)
        .AtLeast(o.ProductCacheMilliseconds, 0);
}
