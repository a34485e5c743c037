using FluentValidation;
using Mall.Application.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Application.CardCollecting;

/// <summary>Card collecting's registrations, kept apart so the shared registration file only calls this.</summary>
public static class CardCollectingServices
{
    public static IServiceCollection AddCardCollecting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<CardCollectingOptions>(configuration, CardCollectingOptions.SectionName);
        services.AddSingleton<CardCampaignService>();
        services.AddSingleton<CardCollectingService>();
        services.AddSingleton<CardRedemptions>();
        services.AddDueWork<CardRedemptions>(CardCollectingWork.Reconcile, (s, work, ct) => s.ReconcileAsync(work.Subject, ct), DueWorkSubject.Customer);
        services.AddSingleton<IValidator<CardCampaignRequest>, CardCampaignRequestValidator>();
        services.AddSingleton<IValidator<CardRedeemRequest>, CardRedeemRequestValidator>();
        return services;
    }
}
