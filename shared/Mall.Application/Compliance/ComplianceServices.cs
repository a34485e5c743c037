using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Application.Compliance;

/// <summary>The campaign compliance check's registrations, kept apart so the shared registration file only calls this.</summary>
public static class ComplianceServices
{
    public static IServiceCollection AddCompliance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ComplianceOptions>(configuration, ComplianceOptions.SectionName);
        services.AddSingleton<CampaignCompliance>();
        return services;
    }
}
