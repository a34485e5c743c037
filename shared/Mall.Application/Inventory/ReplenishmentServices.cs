using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mall.Application.Inventory;

/// <summary>Dynamic replenishment's registrations, kept apart so the shared registration file only calls this.</summary>
public static class ReplenishmentServices
{
    public static IServiceCollection AddReplenishment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ReplenishmentOptions>(configuration, ReplenishmentOptions.SectionName, o =>
        {
            if (o.LeadTimeHours is < 1 or > 1440 || o.ServiceLevelBps is < 5000 or > 9999 || o.HistoryDays is < 7 or > 91 || o.ReviewDays is < 1 or > 90
                || o.SmoothingBps is < 1 or > 10_000 || o.TurnoverGoalPerMonth < 1 || o.PageSize is < 1 or > 1000 || o.ReadConcurrency is < 1 or > 64)
            {
                throw new OptionsValidationException(ReplenishmentOptions.SectionName, typeof(ReplenishmentOptions), ["LeadTimeHours 1–1440, ServiceLevelBps 5000–9999, HistoryDays 7–91, ReviewDays 1–90, SmoothingBps 1–10000, TurnoverGoalPerMonth ≥ 1, PageSize 1–1000, ReadConcurrency 1–64."]);
            }
        });
        services.AddSingleton<ReplenishmentService>();
        return services;
    }
}
