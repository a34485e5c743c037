using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Recommendations;

namespace Mall.LocalHost.Development;

/// <summary>
/// What sample shoppers viewed and then bought over the sample catalog (Longjing with the gaiwan, Pu'er with the
/// gaiwan, mooncakes with Longjing), then the daily recommendation run over it, so the related lists and the feed
/// show something from the first start. Kept as the shoppers' interest only (no orders: an order would need a
/// payment WeChat took). Loaded with the sample catalog, only into an empty mall.
/// </summary>
public static class SampleHistory
{
    /// <summary>Each shopper's view (the first product), then what they bought after it (the rest).</summary>
    private static readonly string[][] ViewedThenBought =
    [
        ["P_LONGJING", "P_GAIWAN"], ["P_LONGJING", "P_GAIWAN"], ["P_LONGJING", "P_GAIWAN", "P_MOONCAKE"],
        ["P_PUER", "P_GAIWAN"], ["P_PUER", "P_GAIWAN"],
        ["P_MOONCAKE", "P_LONGJING"], ["P_MOONCAKE", "P_LONGJING"],
    ];

    public static async Task LoadAsync(IDocumentCollection<CustomerInterest> interests, RecommendationBuilder recommendations, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (products, index) in ViewedThenBought.Select((b, i) => (b, i)))
        {
            var boughtAt = now.AddDays(-(index + 1) * 2);
            var shopper = new CustomerInterest
            {
                CustomerId = $"SAMPLE_SHOPPER_{index:D2}",
                Views = [new Interaction(products[0], boughtAt.AddMinutes(-10))],
                Purchases = products.Skip(1).Select(p => new Interaction(p, boughtAt)).ToList(),
            };
            await interests.UpsertAsync(DocumentKey.Single(shopper.CustomerId), shopper, cancellationToken);
        }

        await recommendations.RunAsync(cancellationToken);
    }
}
