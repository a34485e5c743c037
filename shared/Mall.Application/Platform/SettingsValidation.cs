using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mall.Application.Platform;

/// <summary>Where the app runs (AZURE_FUNCTIONS_ENVIRONMENT); some checks only apply outside Development.</summary>
public sealed record MallEnvironment(string Name)
{
    public bool IsDevelopment => Name.Equals("Development", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Validates one settings section when the host starts (<c>ValidateOnStart</c>): a bad value stops
/// the app with a message naming its key, e.g. <c>Orders:MaxLinesPerOrder</c>, instead of failing
/// the first request that reads it. Implementations are found by <see cref="SettingsValidation.AddSettingsValidators"/>.
/// </summary>
public abstract class SettingsValidator<T>(string section) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var checks = new SettingChecks(section);
        Check(options, checks);
        return checks.Result();
    }

    protected abstract void Check(T options, SettingChecks checks);
}

/// <summary>
/// What is wrong with one section. A check names its setting after the expression it was given
/// (<c>o.Gift.PriceFen</c> in section Promotions: <c>Promotions:Gift:PriceFen</c>).
/// </summary>
public sealed class SettingChecks(string section)
{
    private readonly List<string> failures = [];

    public SettingChecks InRange(double value, double min, double max, string? why = null, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(value >= min && value <= max, setting, $"must be {Format(min)}–{Format(max)}", why, Format(value));

    public SettingChecks AtLeast(double value, double min, string? why = null, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(value >= min, setting, $"must be at least {Format(min)}", why, Format(value));

    public SettingChecks Positive(double value, string? why = null, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(value > 0, setting, "must be positive", why, Format(value));

    public SettingChecks Positive(TimeSpan value, string? why = null, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(value > TimeSpan.Zero, setting, "must be longer than zero", why, value.ToString());

    public SettingChecks NotNegative(TimeSpan value, string? why = null, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(value >= TimeSpan.Zero, setting, "must not be negative", why, value.ToString());

    /// <param name="setting">The expression naming the setting (o.Name) or its name relative to the section.</param>
    public SettingChecks That(bool valid, string setting, string requirement, string? why = null, string? actual = null)
    {
        if (!valid)
        {
            var got = actual is null ? string.Empty : $" (got {actual})";
            var reason = why is null ? string.Empty : $": {why}";
            failures.Add($"{Key(setting)} {requirement}{got}{reason}.");
        }

        return this;
    }

    /// <summary>Refuses the LOCAL-ONLY sample value of a secret anywhere but Development (see <see cref="LocalOnlyValues"/>).</summary>
    public SettingChecks NoLocalOnlyValue(MallEnvironment environment, string value, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(environment.IsDevelopment || !LocalOnlyValues.IsLocalOnly(value), setting, "still holds the local sample value; set a real secret (Key Vault) outside Development");

    public ValidateOptionsResult Result() => failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    private string Key(string setting)
    {
        var path = setting.Split('.');
        return $"{section}:{string.Join(':', path.Length > 1 ? path[1..] : path)}";
    }

    private static string Format(double value) => value.ToString("#,0.###", CultureInfo.InvariantCulture);
}

public static class SettingsValidation
{
    /// <summary>
    /// Registers every <see cref="IValidateOptions{TOptions}"/> the assembly implements, once however
    /// often it is called, so a new validator needs no registration of its own.
    /// </summary>
    public static IServiceCollection AddSettingsValidators(this IServiceCollection services, Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(type => type is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false }))
        {
            foreach (var contract in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidateOptions<>)))
            {
                services.TryAddEnumerable(ServiceDescriptor.Singleton(contract, type));
            }
        }

        return services;
    }
}
