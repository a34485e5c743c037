using Mall.Application.Platform;

namespace Mall.Application.Orders;

internal sealed class OrderOptionsValidator() : SettingsValidator<OrderOptions>(OrderOptions.SectionName)
{
    protected override void Check(OrderOptions o, SettingChecks checks) => checks
        .InRange(o.MaxLinesPerOrder, 1, OrderOptions.MostLinesPerOrder, "an order is one stored document")
        .AtLeast(o.UnpaidTimeoutMinutes, 1)
        .AtLeast(o.AutoConfirmDays, 0)
        .AtLeast(o.AfterSaleDays, 0)
        .AtLeast(o.ShippingFeeFen, 0)
        .AtLeast(o.FreeShippingThresholdFen, 0);
}
