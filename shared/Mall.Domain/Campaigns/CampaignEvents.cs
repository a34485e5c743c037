using Mall.Domain.Common;

namespace Mall.Domain.Campaigns;

/// <summary>A campaign on the calendar started (once, on time or at the first run after downtime).</summary>
public sealed record CampaignStarted(string CampaignId, CampaignKind Kind, string CampaignName, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool Announced, string? PriceRuleId, string? PresaleCampaignId) : IntegrationEvent
{
    public override string Id => $"campaign:{CampaignId}:started";

    public override string SubjectId => CampaignId;
}

/// <summary>A campaign on the calendar ended (once; after downtime, right after its start if both were missed).</summary>
public sealed record CampaignEnded(string CampaignId, CampaignKind Kind, DateTimeOffset StartsAt, DateTimeOffset EndsAt) : IntegrationEvent
{
    public override string Id => $"campaign:{CampaignId}:ended";

    public override string SubjectId => CampaignId;
}
