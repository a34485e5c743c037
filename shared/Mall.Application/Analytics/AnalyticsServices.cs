using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Application.Analytics;

/// <summary>Analytics' registrations (events, figures, experiments, alerts, dashboard), kept apart so the shared registration file only calls this.</summary>
public static class AnalyticsServices
{
    public static IServiceCollection AddAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<AnalyticsOptions>(configuration, AnalyticsOptions.SectionName);
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
