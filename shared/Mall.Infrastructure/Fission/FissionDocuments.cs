using Mall.Application.Sharing;

using Mall.Application.Bargains;
using Mall.Domain.Bargains;
using Mall.Domain.Fission;
using Mall.Domain.Sharing;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.Fission;

public static class FissionDocuments
{
    /// <summary>Social fission's tables: controls, sharing and bargains (daily budgets and share counts are guarded counters, beside stock).</summary>
    public static IServiceCollection AddFissionDocuments(this IServiceCollection services)
    {
        services.AddDocuments<MechanicControl>("FissionControls");
        services.AddDocuments<ShareDomainPool>("ShareDomains");
        services.AddDocuments<ShareRewardProgram>("ShareRewardPrograms");
        services.AddDocuments<ShareProgramCalendar>("ShareProgramCalendar");
        services.AddDocuments<ShareCredit>("ShareCredits");
        services.AddDocuments<ShareTierGrant>("ShareTierGrants");
        services.AddDocuments<BargainCampaign>("BargainCampaigns");
        services.AddDocuments<Bargain>("Bargains");
        services.AddDocuments<BargainStarter>("BargainStarters");
        return services;
    }
}
