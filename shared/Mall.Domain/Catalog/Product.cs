namespace Mall.Domain.Catalog;

public enum ProductStatus
{
    Draft,
    OnSale,
    OffSale,
}

public sealed record ProductMedia
{
    public IReadOnlyList<string> Images { get; init; } = [];

    public string? VideoUrl { get; init; }

    /// <summary>3D model shown on the detail page (the seed reports +120% dwell time).</summary>
    public string? Model3dUrl { get; init; }
}

/// <summary>A product (SPU) and its SKUs. Stock lives in separate counters, one per SKU.</summary>
public sealed record Product
{
    public const string WeeklyDropTag = "weekly-drop";

    /// <summary>A new-product trial: only members with the trial benefit (Gold) may buy it.</summary>
    public const string MemberTrialTag = "member-trial";

    public required string Id { get; init; }

    public required string Title { get; init; }

    public string? Subtitle { get; init; }

    public string? Description { get; init; }

    public required string CategoryId { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>ISO week ("2026-W48", CST) of the weekly drop this product belongs to, if any.</summary>
    public string? DropWeek { get; init; }

    public ProductMedia Media { get; init; } = new();

    /// <summary>Units one customer may buy in total; null means unlimited.</summary>
    public int? PurchaseLimit { get; init; }

    public ProductStatus Status { get; init; }

    public required IReadOnlyList<Sku> Skus { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was first put on sale (null: never yet); days before it are not days without demand.</summary>
    public DateTimeOffset? OnSaleSince { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// Counts saves; the version an operator's If-Match names. (Not the storage ETag: the event path
    /// rewrites the entity's outbox after a save, which changes the ETag but not the product.)
    /// </summary>
    public int Revision { get; init; }

    public bool IsWeeklyDrop => DropWeek is not null && Tags.Contains(WeeklyDropTag);

    public Sku? FindSku(string skuId) => Skus.FirstOrDefault(s => s.Id == skuId);
}

public sealed record Sku
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>When the SKU was added to its product (null: saved before this was recorded; the product's dates stand in).</summary>
    public DateTimeOffset? AddedAt { get; init; }

    public required long PriceFen { get; init; }

    /// <summary>The struck-through "was" price; shown only while <see cref="ReferencePriceRule"/> allows it.</summary>
    public long? ReferencePriceFen { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>Selling prices over time, oldest first, for the reference-price rule.</summary>
    public IReadOnlyList<PricePeriod> PriceHistory { get; init; } = [];
}

/// <summary>The SKU sold at <see cref="PriceFen"/> from <see cref="From"/> until the next period began.</summary>
public sealed record PricePeriod(long PriceFen, DateTimeOffset From);
