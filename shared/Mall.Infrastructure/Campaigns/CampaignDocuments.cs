using Mall.Application.Campaigns;
using Mall.Domain.Campaigns;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.Campaigns;

public static class CampaignDocuments
{
    /// <summary>The campaign calendar's tables.</summary>
    public static IServiceCollection AddCampaignDocuments(this IServiceCollection services)
    {
        services.AddDocuments<Campaign>("Campaigns");
        services.AddDocuments<CampaignKeyClaim>("CampaignKeys");
        services.AddDocuments<FlashSlotTemplateBook>("FlashSlotTemplates");
        services.AddDocuments<FlashPlanRun>("FlashPlanRuns");
        services.AddDocuments<AnnouncementRun>("CampaignAnnouncements");
        services.AddDocuments<AnnouncementRecipient>("CampaignAnnouncementRecipients");
        return services;
    }
}
