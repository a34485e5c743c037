using Mall.Application.Inventory;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.Inventory;

public static class ReplenishmentDocuments
{
    /// <summary>Dynamic replenishment's tables (its sales history lives in the guarded counters, beside stock).</summary>
    public static IServiceCollection AddReplenishmentDocuments(this IServiceCollection services)
    {
        services.AddDocuments<ReplenishmentRun>("ReplenishmentRuns");
        services.AddDocuments<ReplenishmentProductLines>("ReplenishmentLines");
        return services;
    }
}
