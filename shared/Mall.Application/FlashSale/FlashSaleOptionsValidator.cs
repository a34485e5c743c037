using System.Globalization;
using Mall.Application.Platform;

namespace Mall.Application.FlashSale;

internal sealed class FlashSaleOptionsValidator() : SettingsValidator<FlashSaleOptions>(FlashSaleOptions.SectionName)
{
    protected override void Check(FlashSaleOptions o, SettingChecks checks) => checks
        .That(o.Slots.Length > 0 && o.Slots.All(s => TimeOnly.TryParseExact(s, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)), nameof(o.Slots), "are \"HH:mm\" times, at least one", actual: string.Join(", ", o.Slots))
        .InRange(o.DefaultDurationMinutes, 1, 1440)
        .AtLeast(o.UnpaidMinutes, 1)
        .AtLeast(o.ReservationsPerCustomerPerMinute, 1)
        .AtLeast(o.FullShardCacheMilliseconds, 0)
        .AtLeast(o.SaleCacheMilliseconds, 0);
}
