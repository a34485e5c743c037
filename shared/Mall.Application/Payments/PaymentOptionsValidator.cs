using Mall.Application.Platform;

namespace Mall.Application.Payments;

internal sealed class PaymentOptionsValidator() : SettingsValidator<PaymentOptions>(PaymentOptions.SectionName)
{
    protected override void Check(PaymentOptions o, SettingChecks checks) => checks
        .Positive(o.ReconcileAfterMinutes)
        .Positive(o.RefundRetryMaxMinutes);
}
