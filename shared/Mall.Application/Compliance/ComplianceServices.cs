using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mall.Application.Compliance;

/// <summary>The campaign compliance check's registrations, kept apart so the shared registration file only calls this.</summary>
public static class ComplianceServices
{
    public static IServiceCollection AddCompliance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ComplianceOptions>(configuration, ComplianceOptions.SectionName, o =>
        {
            if (o.PayoutChannelCapBps is < 0 or > 10_000)
            {
                throw new OptionsValidationException(ComplianceOptions.SectionName, typeof(ComplianceOptions), ["PayoutChannelCapBps must be 0–10000."]);
            }
        });
        services.AddSingleton<CampaignCompliance>();
        return services;
    }
}
