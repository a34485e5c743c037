using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;

namespace Mall.Application.Campaigns;

/// <summary>The campaign calendar's registrations, kept apart so the shared registration file only calls this.</summary>
public static class CampaignServices
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<CampaignOptions>(configuration, CampaignOptions.SectionName);
        services.AddSingleton<FlashSlotPlanner>();
        services.AddSingleton<CampaignService>();
        services.AddSingleton<CampaignTally>();
        services.AddSingleton<CalendarService>();
        services.AddDueWork<CampaignService>(CampaignWork.Advance, (s, work, ct) => s.AdvanceAsync(work.Subject, ct));
        services.AddDueWork<CampaignService>(CampaignWork.Announce, (s, work, ct) => s.AnnounceAsync(work.Subject, ct));
        services.AddSingleton<IValidator<FlashSlotTemplateRequest>, FlashSlotTemplateRequestValidator>();
        services.AddSingleton<IValidator<CampaignRequest>, CampaignRequestValidator>();
        return services;
    }
}
