using Mall.Application.Recommendations;
using Mall.Domain.Recommendations;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.Recommendations;

public static class RecommendationDocuments
{
    /// <summary>Recommendations' tables: a related list per product, the popular lists, each customer's recent interest, the daily runs.</summary>
    public static IServiceCollection AddRecommendationDocuments(this IServiceCollection services)
    {
        services.AddDocuments<RelatedProducts>("RelatedProducts");
        services.AddDocuments<PopularProducts>("PopularProducts");
        services.AddDocuments<CustomerInterest>("CustomerInterests");
        services.AddDocuments<RecommendationRun>("RecommendationRuns");
        return services;
    }
}
