using System.Text.RegularExpressions;
using FluentValidation;
using Mall.Application.Platform;
using Mall.Domain.Catalog;

namespace Mall.Application.Catalog;

public sealed record Category(string Id, string Name, int Sort);

public sealed record CategoryRequest(string? Name, int? Sort);

public sealed record ProductMediaRequest(IReadOnlyList<string>? Images, string? VideoUrl, string? Model3dUrl);
public sealed record SkuRequest
{
    public string? SkuId { get; init; }

    public string? Name { get; init; }

    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    public long? PriceFen { get; init; }

    public long? ReferencePriceFen { get; init; }

    public bool? Enabled { get; init; }

    public long? InitialStock { get; init; }
}
public sealed record ProductRequest
{
    public string? Title { get; init; }

    public string? Subtitle { get; init; }

    public string? Description { get; init; }

    public string? CategoryId { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public string? DropWeek { get; init; }

    public ProductMediaRequest? Media { get; init; }

    public int? PurchaseLimit { get; init; }

    public ProductStatus? Status { get; init; }

    public IReadOnlyList<SkuRequest>? Skus { get; init; }

    public ProductDraft ToDraft() => new(
        Title!.Trim(),
        Subtitle,
        Description,
        CategoryId!,
        Tags ?? [],
        DropWeek,
        new ProductMedia { Images = Media?.Images ?? [], VideoUrl = Media?.VideoUrl, Model3dUrl = Media?.Model3dUrl },
        PurchaseLimit,
        Status ?? ProductStatus.Draft,
        Skus!.Select(s => new SkuDraft(s.SkuId, s.Name!.Trim(), s.Attributes ?? new Dictionary<string, string>(), s.PriceFen!.Value, s.ReferencePriceFen, s.Enabled ?? true, s.InitialStock ?? 0)).ToList());
}

/// <summary>A SKU as the storefront shows it: the reference price only when truthful, stock as of the view's StockAsOf.</summary>
public sealed record SkuView(string SkuId, string Name, IReadOnlyDictionary<string, string> Attributes, long PriceFen, long? ReferencePriceFen, long Stock);

/// <param name="StockAsOf">When the SKUs' stock was counted: at most about a second ago (the view is reused that long).</param>
public sealed record ProductView(
    string Id,
    string Title,
    string? Subtitle,
    string? Description,
    string CategoryId,
    IReadOnlyList<string> Tags,
    string? DropWeek,
    ProductMedia Media,
    int? PurchaseLimit,
    IReadOnlyList<SkuView> Skus,
    DateTimeOffset StockAsOf);

/// <summary>The operator's view: everything, including disabled SKUs, price history and the version for If-Match.</summary>
public sealed record AdminProductView(Product Product, IReadOnlyDictionary<string, long> Stock, string Version);

public sealed record ProductSummary(
    string Id,
    string Title,
    string? Subtitle,
    string? CoverImage,
    long MinPriceFen,
    long? ReferencePriceFen,
    IReadOnlyList<string> Tags,
    string? DropWeek);

public sealed record ProductPage(IReadOnlyList<ProductSummary> Items, string? ContinuationToken);

public sealed record HomeFeed(string Week, IReadOnlyList<ProductSummary> WeeklyDrop, IReadOnlyList<ProductSummary> NewArrivals)
{
    /// <summary>For a signed-in FirstOrder customer: products related to their first order, next to the segment's coupon.</summary>
    public Recommendations.FirstOrderOffer? FirstOrder { get; init; }
}

public sealed partial class CategoryRequestValidator : AbstractValidator<CategoryRequest>
{
    public CategoryRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(30);
        RuleFor(r => r.Sort).InclusiveBetween(0, 10_000);
    }
}

public sealed partial class ProductRequestValidator : AbstractValidator<ProductRequest>
{
    public const long MaxPriceFen = 100_000_000; // 1,000,000 yuan

    public ProductRequestValidator()
    {
        RuleFor(r => r.Title).NotEmpty().MaximumLength(60);
        RuleFor(r => r.Subtitle).MaximumLength(120);
        RuleFor(r => r.Description).MaximumLength(5000);
        RuleFor(r => r.CategoryId).NotEmpty().Matches(CatalogIds.Pattern());
        RuleFor(r => r.Tags).Must(t => t is null || t.Count <= 10).WithMessage("At most 10 tags.");
        RuleForEach(r => r.Tags).NotEmpty().MaximumLength(20);
        RuleFor(r => r.DropWeek).Matches(IsoWeek()).When(r => r.DropWeek is not null).WithMessage("Use an ISO week such as 2026-W48.");
        RuleFor(r => r.DropWeek).NotEmpty().When(r => r.Tags?.Contains(Product.WeeklyDropTag) == true).WithMessage($"Products tagged {Product.WeeklyDropTag} need a dropWeek.");
        RuleFor(r => r.PurchaseLimit).InclusiveBetween(1, 999);
        RuleFor(r => r.Media!.Images).Must(i => i is null || i.Count <= 20).When(r => r.Media is not null).WithMessage("At most 20 images.");
        RuleForEach(r => r.Media!.Images).Must(BeAUrl).When(r => r.Media is not null).WithMessage("Must be an http(s) URL.");
        RuleFor(r => r.Media!.VideoUrl).Must(BeAUrl).When(r => r.Media?.VideoUrl is not null).WithMessage("Must be an http(s) URL.");
        RuleFor(r => r.Media!.Model3dUrl).Must(BeAUrl).When(r => r.Media?.Model3dUrl is not null).WithMessage("Must be an http(s) URL.");
        RuleFor(r => r.Skus).NotEmpty().Must(s => s is null || s.Count <= 100).WithMessage("Between 1 and 100 SKUs.");
        RuleFor(r => r.Skus).Must(s => s!.Where(k => k.SkuId is not null).Select(k => k.SkuId).Distinct().Count() == s!.Count(k => k.SkuId is not null))
            .When(r => r.Skus is not null).WithMessage("A SKU id appears twice.");
        RuleForEach(r => r.Skus).ChildRules(sku =>
        {
            sku.RuleFor(s => s.SkuId).MustBeAnId();
            sku.RuleFor(s => s.Name).NotEmpty().MaximumLength(40);
            sku.RuleFor(s => s.PriceFen).NotNull().InclusiveBetween(1, MaxPriceFen);
            sku.RuleFor(s => s.ReferencePriceFen).InclusiveBetween(1, MaxPriceFen);
            sku.RuleFor(s => s.InitialStock).InclusiveBetween(0, 10_000_000);
            sku.RuleFor(s => s.Attributes).Must(a => a is null || (a.Count <= 5 && a.All(kv => kv.Key.Length is > 0 and <= 20 && kv.Value.Length is > 0 and <= 40)))
                .WithMessage("At most 5 attributes, names up to 20 and values up to 40 characters.");
        });
    }

    private static bool BeAUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    [GeneratedRegex(@"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")]
    private static partial Regex IsoWeek();
}

public static partial class CatalogIds
{
    /// <summary>Ids operators choose (categories): safe in table keys and URLs.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    public static partial Regex Pattern();
}
