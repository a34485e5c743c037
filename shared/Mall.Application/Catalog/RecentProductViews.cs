using System.Collections.Concurrent;

namespace Mall.Application.Catalog;

/// <summary>
/// Product details as this instance read them within the last <see cref="CatalogOptions.ProductCacheMilliseconds"/>,
/// so a crowd on one product page (a flash sale) costs one read per second per instance, not two per view.
/// Changes made through this instance (stock, the product) drop the entry at once; another instance's show
/// within that time. Checkout never reads from here.
/// </summary>
public sealed class RecentProductViews(CatalogOptions options, TimeProvider time)
{
    /// <summary>Beyond this many products the cache starts over (it only ever holds products viewed in the last second or so).</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, ProductView> views = new();

    public bool TryGet(string productId, out ProductView view)
    {
        if (views.TryGetValue(productId, out var found) && found.StockAsOf.AddMilliseconds(options.ProductCacheMilliseconds) > time.GetUtcNow())
        {
            view = found;
            return true;
        }

        view = null!;
        return false;
    }

    public void Remember(ProductView view)
    {
        if (options.ProductCacheMilliseconds == 0)
        {
            return;
        }

        if (views.Count >= MaxEntries)
        {
            views.Clear();
        }

        views[view.Id] = view;
    }

    public void Forget(string productId) => views.TryRemove(productId, out _);
}
