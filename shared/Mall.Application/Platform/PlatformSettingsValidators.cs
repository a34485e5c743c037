namespace Mall.Application.Platform;

internal sealed class AuthOptionsValidator(MallEnvironment environment) : SettingsValidator<AuthOptions>(AuthOptions.SectionName)
{
    protected override void Check(AuthOptions o, SettingChecks checks) =>
        checks.NoLocalOnlyValue(environment, o.SessionSigningKey);
}

internal sealed class LimitsOptionsValidator() : SettingsValidator<LimitsOptions>(LimitsOptions.SectionName)
{
    protected override void Check(LimitsOptions o, SettingChecks checks) => checks
        .AtLeast(o.CustomerLoginsPerAddressPerMinute, 1)
        .AtLeast(o.OperatorFailuresAllowed, 1)
        .AtLeast(o.OperatorLockoutSeconds, 1)
        .AtLeast(o.OperatorMaxLockoutSeconds, o.OperatorLockoutSeconds, "the longest lockout is no shorter than the first")
        .AtLeast(o.OrdersPerCustomerPerMinute, 1)
        .AtLeast(o.UnpaidOrdersPerCustomer, 1);
}

internal sealed class EventOptionsValidator() : SettingsValidator<EventOptions>(EventOptions.SectionName)
{
    protected override void Check(EventOptions o, SettingChecks checks) => checks
        .AtLeast(o.MaxAttempts, 1)
        .AtLeast(o.Concurrency, 1)
        .Positive(o.Lease)
        .Positive(o.CommitWait)
        .NotNegative(o.RetryBaseDelay);
}
