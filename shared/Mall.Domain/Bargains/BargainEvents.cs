using Mall.Domain.Common;

namespace Mall.Domain.Bargains;

/// <summary>A customer started a bargain: its largest discount is reserved against the day's budget.</summary>
public sealed record BargainStarted(string BargainId, string CampaignId, string StarterId, string SkuId, long StartPriceFen, long FloorFen, int HelpsToFloor, DateTimeOffset Deadline) : IntegrationEvent
{
    public override string Id => $"bargain:{BargainId}:started";

    public override string SubjectId => BargainId;
}

/// <summary>A help brought the bargain to its floor: nothing more can be cut.</summary>
public sealed record BargainReachedFloor(string BargainId, string CampaignId, long FloorFen, int Helps) : IntegrationEvent
{
    public override string Id => $"bargain:{BargainId}:reached-floor";

    public override string SubjectId => BargainId;
}

/// <summary>The starter's order at the reached price was paid: the verified outcome the discount was for.</summary>
public sealed record BargainOrdered(string BargainId, string CampaignId, string OrderId, long PriceFen, long DiscountFen) : IntegrationEvent
{
    public override string Id => $"bargain:{BargainId}:ordered";

    public override string SubjectId => BargainId;
}

/// <summary>The deadline passed without a paid order: the budget reservation went back.</summary>
public sealed record BargainExpired(string BargainId, string CampaignId, long PriceFen) : IntegrationEvent
{
    public override string Id => $"bargain:{BargainId}:expired";

    public override string SubjectId => BargainId;
}
