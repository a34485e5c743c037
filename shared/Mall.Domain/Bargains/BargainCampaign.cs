namespace Mall.Domain.Bargains;

/// <summary>Where a helper may come from. Stored as the operator chose it; the compliance check judges it (SPEC §4.11).</summary>
public enum HelpEntry
{
    /// <summary>Any signed-in customer, from any entry point (search, the shop, a link): nothing asks for a share.</summary>
    AnyEntry,

    /// <summary>Only through the starter's shared link: a help unlocked by sharing, which WeChat treats as inducing shares.</summary>
    SharedLinkOnly,
}

/// <summary>A bargain campaign 砍价: one SKU bargained from its price down to a floor by friends' helps, within a time limit.</summary>
public sealed record BargainCampaign
{
    public required string Id { get; init; }

    public required string ProductId { get; init; }

    public required string SkuId { get; init; }

    /// <summary>The product and SKU as a helper sees them, taken when the campaign was saved.</summary>
    public required string Title { get; init; }

    public required string SkuName { get; init; }

    public required long FloorFen { get; init; }

    /// <summary>How long a bargain has, from its start, to reach its price and be ordered.</summary>
    public required TimeSpan TimeLimit { get; init; }

    /// <summary>Helps that bring a bargain from the SKU's price to the floor (the last one reaches it exactly).</summary>
    public required int HelpsToFloor { get; init; }

    /// <summary>How many bargains may be started in all.</summary>
    public required int MaxBargains { get; init; }

    /// <summary>When bargains may be started; a bargain started in time runs to its own deadline.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }

    public required HelpEntry HelpEntry { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public bool IsRunningAt(DateTimeOffset now) => now >= StartsAt && now < EndsAt;
}
