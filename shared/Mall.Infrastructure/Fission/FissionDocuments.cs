using Mall.Application.Sharing;
using Mall.Domain.Fission;
using Mall.Domain.Sharing;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.Fission;

public static class FissionDocuments
{
    /// <summary>Social fission's tables: controls and sharing (daily budgets and share counts are guarded counters, beside stock).</summary>
    public static IServiceCollection AddFissionDocuments(this IServiceCollection services)
    {
        services.AddDocuments<MechanicControl>("FissionControls");
        services.AddDocuments<ShareDomainPool>("ShareDomains");
        services.AddDocuments<ShareRewardProgram>("ShareRewardPrograms");
        services.AddDocuments<ShareCredit>("ShareCredits");
        services.AddDocuments<ShareTierGrant>("ShareTierGrants");
        return services;
    }
}
