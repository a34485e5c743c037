using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mall.Application.Recommendations;

/// <summary>Recommendations' registrations, kept apart so the shared registration file only calls this.</summary>
public static class RecommendationServices
{
    public static IServiceCollection AddRecommendations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<RecommendationOptions>(configuration, RecommendationOptions.SectionName, o =>
        {
            if (o.SlotSize is < 1 or > 50 || o.MinSupport < 1 || o.KeptPerProduct < o.SlotSize || o.MaxPairs < 100 || o.PageSize is < 1 or > 1000 || o.CheckpointEveryPages < 1
                || (o.FeedExperimentId.Length > 0 && !Domain.Common.Ids.IsWellFormed(o.FeedExperimentId)))
            {
                throw new OptionsValidationException(RecommendationOptions.SectionName, typeof(RecommendationOptions), ["SlotSize 1–50, MinSupport ≥ 1, KeptPerProduct ≥ SlotSize, MaxPairs ≥ 100, PageSize 1–1000, CheckpointEveryPages ≥ 1; FeedExperimentId empty or an id."]);
            }
        });
        services.AddSingleton<CustomerInterests>();
        services.AddSingleton<RecommendationBuilder>();
        services.AddSingleton<RecommendationService>();
        return services;
    }
}
