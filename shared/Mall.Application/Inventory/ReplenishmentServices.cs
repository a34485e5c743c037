using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Application.Inventory;

/// <summary>Dynamic replenishment's registrations, kept apart so the shared registration file only calls this.</summary>
public static class ReplenishmentServices
{
    public static IServiceCollection AddReplenishment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ReplenishmentOptions>(configuration, ReplenishmentOptions.SectionName);
        services.AddSingleton<ReplenishmentService>();
        return services;
    }
}
