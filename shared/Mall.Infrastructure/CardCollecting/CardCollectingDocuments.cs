using Mall.Application.CardCollecting;
using Mall.Domain.CardCollecting;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.CardCollecting;

public static class CardCollectingDocuments
{
    /// <summary>Card collecting's tables (its budget reservations are the fission mechanic's guarded counters).</summary>
    public static IServiceCollection AddCardCollectingDocuments(this IServiceCollection services)
    {
        services.AddDocuments<CardCampaign>("CardCampaigns");
        services.AddDocuments<CardCollection>("CardCollections");
        services.AddDocuments<CardFulfilment>("CardFulfilments", CardCollectingService.IndexedColumns);
        return services;
    }
}
