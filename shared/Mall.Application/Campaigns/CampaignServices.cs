using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Mall.Application.Campaigns;

/// <summary>The campaign calendar's registrations, kept apart so the shared registration file only calls this.</summary>
public static class CampaignServices
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<CampaignOptions>(configuration, CampaignOptions.SectionName, o =>
        {
            if (o.FlashDaysAhead is < 0 or > 13 || o.WarmUpDays is < 0 or > 60 || o.AnnounceDaysAhead is < 0 or > 60 || o.MessagesPerSecond <= 0
                || o.AnnouncementPageSize < 1 || o.AnnouncementPagesPerRun < 1 || o.BrandDayWeekOfMonth is < 1 or > 4 || o.BrandDayDays is < 1 or > 7
                || o.BrandDayTargetShareBps is < 0 or > 10_000 || o.AnnouncementTargetLiftBps < 0)
            {
                throw new OptionsValidationException(CampaignOptions.SectionName, typeof(CampaignOptions), ["FlashDaysAhead 0–13, WarmUpDays and AnnounceDaysAhead 0–60, MessagesPerSecond > 0, AnnouncementPageSize and AnnouncementPagesPerRun ≥ 1, BrandDayWeekOfMonth 1–4, BrandDayDays 1–7, BrandDayTargetShareBps 0–10000."]);
            }
        });
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
