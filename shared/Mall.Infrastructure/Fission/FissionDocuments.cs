using Mall.Application.Bargains;
using Mall.Domain.Bargains;
using Mall.Domain.Fission;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.Fission;

public static class FissionDocuments
{
    /// <summary>Social fission's tables (daily budgets are guarded counters, beside stock).</summary>
    public static IServiceCollection AddFissionDocuments(this IServiceCollection services)
    {
        services.AddDocuments<MechanicControl>("FissionControls");
        services.AddDocuments<BargainCampaign>("BargainCampaigns");
        services.AddDocuments<Bargain>("Bargains");
        services.AddDocuments<BargainStarter>("BargainStarters");
        return services;
    }
}
