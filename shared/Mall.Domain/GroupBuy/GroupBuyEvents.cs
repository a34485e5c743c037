using Mall.Domain.Common;

namespace Mall.Domain.GroupBuy;

/// <summary>A leader opened a group; it fills or fails by its deadline.</summary>
public sealed record GroupBuyOpened(string GroupId, string CampaignId, string LeaderId, DateTimeOffset Deadline) : IntegrationEvent
{
    public override string Id => $"group:{GroupId}:opened";

    public override string SubjectId => GroupId;
}
