using FluentValidation;
using Mall.Domain.CardCollecting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mall.Application.CardCollecting;

/// <summary>Card collecting's registrations, kept apart so the shared registration file only calls this.</summary>
public static class CardCollectingServices
{
    public static IServiceCollection AddCardCollecting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<CardCollectingOptions>(configuration, CardCollectingOptions.SectionName, o =>
        {
            if (o.DefaultMissesBeforeGuarantee is < 0 or > CardCampaign.MaxMissesBeforeGuarantee || o.RedeemDaysAfterEnd is < 0 or > 90)
            {
                throw new OptionsValidationException(CardCollectingOptions.SectionName, typeof(CardCollectingOptions), [$"DefaultMissesBeforeGuarantee must be 0–{CardCampaign.MaxMissesBeforeGuarantee} and RedeemDaysAfterEnd 0–90."]);
            }
        });
        services.AddSingleton<CardCampaignService>();
        services.AddSingleton<CardCollectingService>();
        services.AddSingleton<CardRedemptions>();
        services.AddDueWork<CardRedemptions>(CardCollectingWork.Reconcile, (s, work, ct) => s.ReconcileAsync(work.Subject, ct));
        services.AddSingleton<IValidator<CardCampaignRequest>, CardCampaignRequestValidator>();
        services.AddSingleton<IValidator<CardRedeemRequest>, CardRedeemRequestValidator>();
        return services;
    }
}
