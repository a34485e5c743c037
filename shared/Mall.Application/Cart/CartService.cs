using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Domain.Cart;
using Mall.Domain.Catalog;
using Mall.Domain.Common;

namespace Mall.Application.Cart;

public sealed record CartItemRequest(string? SkuId, int? Quantity);

public sealed record CartQuantityRequest(int? Quantity);

/// <summary>A cart line priced now; <see cref="Problem"/> says why it cannot be bought as is.</summary>
public sealed record CartLineView(
    string SkuId,
    string ProductId,
    string Title,
    string SkuName,
    string? Image,
    long UnitPriceFen,
    int Quantity,
    long LineTotalFen,
    long Stock,
    string? Problem);

public sealed record CartView(IReadOnlyList<CartLineView> Lines, long GoodsFen);

public sealed class CartItemRequestValidator : AbstractValidator<CartItemRequest>
{
    public CartItemRequestValidator()
    {
        RuleFor(r => r.SkuId).NotEmpty().MustBeAnId();
        RuleFor(r => r.Quantity).NotNull().InclusiveBetween(1, CartRules.MaxQuantityPerLine);
    }
}

public sealed class CartQuantityRequestValidator : AbstractValidator<CartQuantityRequest>
{
    public CartQuantityRequestValidator() => RuleFor(r => r.Quantity).NotNull().InclusiveBetween(1, CartRules.MaxQuantityPerLine);
}

/// <summary>The customer's cart: one row per SKU in the customer's partition; prices are always read live.</summary>
public sealed class CartService(
    IDocumentCollection<CartLine> carts,
    IDocumentCollection<Product> products,
    CatalogQueryService catalog,
    StockService stock,
    TimeProvider time)
{
    public async Task<CartView> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        var lines = await LinesAsync(customerId, cancellationToken);
        var productCache = new Dictionary<string, (Product? Product, IReadOnlyDictionary<string, long> Stock)>();
        var views = new List<CartLineView>(lines.Count);
        foreach (var line in lines.OrderByDescending(l => l.AddedAt))
        {
            if (!SkuIds.TryParse(line.SkuId, out var productId, out _))
            {
                continue;
            }

            if (!productCache.TryGetValue(productId, out var entry))
            {
                entry = ((await products.FindAsync(DocumentKey.Single(productId), cancellationToken))?.Value, await stock.AvailableAsync(productId, cancellationToken));
                productCache[productId] = entry;
            }

            var sku = entry.Product?.FindSku(line.SkuId);
            if (entry.Product is null || sku is null)
            {
                continue;
            }

            var available = entry.Stock.GetValueOrDefault(sku.Id);
            var problem = entry.Product.Status != ProductStatus.OnSale || !sku.Enabled ? "NOT_ON_SALE"
                : available == 0 ? "OUT_OF_STOCK"
                : available < line.Quantity ? "INSUFFICIENT_STOCK"
                : null;
            views.Add(new CartLineView(sku.Id, productId, entry.Product.Title, sku.Name, entry.Product.Media.Images.Count > 0 ? entry.Product.Media.Images[0] : null, sku.PriceFen, line.Quantity, sku.PriceFen * line.Quantity, available, problem));
        }

        return new CartView(views, views.Where(v => v.Problem is null).Sum(v => v.LineTotalFen));
    }

    /// <summary>Adds units of a SKU (merging with what is already in the cart).</summary>
    public async Task<CartView> AddAsync(string customerId, CartItemRequest request, CancellationToken cancellationToken)
    {
        var key = new DocumentKey(customerId, request.SkuId!);
        var existing = await carts.FindAsync(key, cancellationToken);
        if (existing is null && (await LinesAsync(customerId, cancellationToken)).Count >= CartRules.MaxLines)
        {
            throw new DomainException(ErrorCode.CartFull, $"A cart holds at most {CartRules.MaxLines} different items.");
        }

        var quantity = (existing?.Value.Quantity ?? 0) + request.Quantity!.Value;
        await EnsureCanBuyAsync(customerId, request.SkuId!, quantity, cancellationToken);
        await carts.TransitionAsync(
            key,
            current => Decision.Write(new CartLine(request.SkuId!, (current?.Value.Quantity ?? 0) + request.Quantity!.Value, current?.Value.AddedAt ?? time.GetUtcNow()), true),
            cancellationToken);
        return await GetAsync(customerId, cancellationToken);
    }

    public async Task<CartView> SetQuantityAsync(string customerId, string skuId, int quantity, CancellationToken cancellationToken)
    {
        var key = new DocumentKey(customerId, skuId);
        var existing = await carts.FindAsync(key, cancellationToken) ?? throw DomainException.NotFound($"Cart item {skuId}");
        await EnsureCanBuyAsync(customerId, skuId, quantity, cancellationToken);
        await carts.UpsertAsync(key, existing.Value with { Quantity = quantity }, cancellationToken);
        return await GetAsync(customerId, cancellationToken);
    }

    public async Task<CartView> RemoveAsync(string customerId, string skuId, CancellationToken cancellationToken)
    {
        await carts.DeleteAsync(new DocumentKey(customerId, skuId), null, cancellationToken);
        return await GetAsync(customerId, cancellationToken);
    }

    public async Task RemoveLinesAsync(string customerId, IEnumerable<string> skuIds, CancellationToken cancellationToken)
    {
        foreach (var skuId in skuIds)
        {
            await carts.DeleteAsync(new DocumentKey(customerId, skuId), null, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<CartLine>> LinesAsync(string customerId, CancellationToken cancellationToken)
    {
        var page = await carts.QueryAsync(new DocumentQuery { PartitionKey = customerId }, null, CartRules.MaxLines * 2, cancellationToken);
        return page.Items.Select(l => l.Value).ToList();
    }

    private async Task EnsureCanBuyAsync(string customerId, string skuId, int quantity, CancellationToken cancellationToken)
    {
        if (quantity > CartRules.MaxQuantityPerLine)
        {
            throw DomainException.Validation("quantity", $"At most {CartRules.MaxQuantityPerLine} units per item.");
        }

        var (product, sku) = await catalog.GetSellableSkuAsync(skuId, cancellationToken);
        var available = (await stock.AvailableAsync(product.Id, cancellationToken)).GetValueOrDefault(sku.Id);
        if (quantity > available)
        {
            throw new DomainException(ErrorCode.OutOfStock, available == 0 ? $"{product.Title} ({sku.Name}) is out of stock." : $"Only {available} of {product.Title} ({sku.Name}) left.", new Dictionary<string, string[]>
            {
                [skuId] = [$"Available: {available}."],
            });
        }

        if (product.PurchaseLimit is { } limit && quantity + await stock.PurchasedAsync(customerId, product.Id, cancellationToken) > limit)
        {
            throw new DomainException(ErrorCode.PurchaseLimitExceeded, $"Each customer may buy at most {limit} of {product.Title}.", new Dictionary<string, string[]>
            {
                [product.Id] = [$"Purchase limit {limit}."],
            });
        }
    }
}
