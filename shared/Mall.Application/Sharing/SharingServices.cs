using FluentValidation;
using Mall.Application.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Application.Sharing;

/// <summary>Sharing's registrations (share links, the share-domain pool, tiered share rewards).</summary>
public static class SharingServices
{
    public static IServiceCollection AddSharing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<SharingOptions>(configuration, SharingOptions.SectionName);
        services.AddSingleton<ShareLinks>();
        services.AddSingleton<ShareRewardsService>();
        services.AddDueWork<ShareRewardsService>(ShareRewardsService.GrantWork, (service, work, ct) => service.HandleGrantWorkAsync(work, ct), DueWorkSubject.Customer);
        services.AddSingleton<IValidator<ShareLinkRequest>, ShareLinkRequestValidator>();
        services.AddSingleton<IValidator<ShareDomainsRequest>, ShareDomainsRequestValidator>();
        services.AddSingleton<IValidator<ShareDomainMarkRequest>, ShareDomainMarkRequestValidator>();
        services.AddSingleton<IValidator<ShareRewardProgramRequest>, ShareRewardProgramRequestValidator>();
        return services;
    }
}
