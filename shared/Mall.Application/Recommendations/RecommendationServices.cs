using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Application.Recommendations;

/// <summary>Recommendations' registrations, kept apart so the shared registration file only calls this.</summary>
public static class RecommendationServices
{
    public static IServiceCollection AddRecommendations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<RecommendationOptions>(configuration, RecommendationOptions.SectionName);
        services.AddSingleton<CustomerInterests>();
        services.AddSingleton<RecommendationBuilder>();
        services.AddSingleton<RecommendationService>();
        return services;
    }
}
