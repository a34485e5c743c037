using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mall.Application.Analytics;

/// <summary>Analytics' registrations (events, figures, experiments, alerts, dashboard), kept apart so the shared registration file only calls this.</summary>
public static class AnalyticsServices
{
    public static IServiceCollection AddAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<AnalyticsOptions>(configuration, AnalyticsOptions.SectionName, o =>
        {
            if (o.MaxEventsPerBatch is < 1 or > 50 || o.MaxEventAgeHours is < 1 or > 24 * 7 || o.MaxClockSkewMinutes < 0
                || o.CloseHourAfterMinutes is < 1 or > 120 || o.EscalateAfterMinutes < 1 || o.LiveCountCacheSeconds < 0 || o.LiveFoldCacheSeconds < 0
                || o.Rules().Any(r => !Domain.Common.Ids.IsWellFormed(r.Id) || r.WindowPeriods < 1 || r.ConsecutivePeriods < 1 || r.MinimumBase < 0)
                || o.Rules().Select(r => r.Id).Distinct(StringComparer.Ordinal).Count() != o.Rules().Count)
            {
                throw new OptionsValidationException(AnalyticsOptions.SectionName, typeof(AnalyticsOptions), ["MaxEventsPerBatch 1–50 (a batch is one transaction of at most 100 rows), MaxEventAgeHours 1–168, MaxClockSkewMinutes ≥ 0, CloseHourAfterMinutes 1–120, EscalateAfterMinutes ≥ 1, LiveCountCacheSeconds and LiveFoldCacheSeconds ≥ 0; each alert rule needs a distinct id, WindowPeriods and ConsecutivePeriods ≥ 1, MinimumBase ≥ 0."]);
            }
        });
        services.AddSingleton<LiveFolds>();
        services.AddSingleton<AnalyticsFigures>();
        services.AddSingleton<EventIngestion>();
        services.AddSingleton<ExperimentService>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<DashboardService>();
        services.AddSingleton<IValidator<ExperimentRequest>, ExperimentRequestValidator>();
        return services;
    }
}
