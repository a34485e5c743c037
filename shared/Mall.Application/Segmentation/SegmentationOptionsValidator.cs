using Mall.Application.Platform;

namespace Mall.Application.Segmentation;

internal sealed class SegmentationOptionsValidator() : SettingsValidator<SegmentationOptions>(SegmentationOptions.SectionName)
{
    protected override void Check(SegmentationOptions o, SettingChecks checks) => checks
        .AtLeast(o.DormantAfterDays, 1)
        .AtLeast(o.ActiveOrdersPerMonth, 1)
        .AtLeast(o.ActiveWindowMonths, 1)
        .AtLeast(o.PageSize, 1)
        .AtLeast(o.WriteConcurrency, 1);
}
