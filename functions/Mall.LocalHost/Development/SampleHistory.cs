using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Orders;

namespace Mall.LocalHost.Development;

/// <summary>
/// A few weeks of paid orders by sample shoppers over the sample catalog (Longjing with the gaiwan, Pu'er with the
/// gaiwan, mooncakes with Longjing), then the daily recommendation run over them, so the related lists and the
/// feed show something from the first start. Loaded with the sample catalog, only into an empty mall.
/// </summary>
public static class SampleHistory
{
    private static readonly string[][] Baskets =
    [
        ["P_LONGJING", "P_GAIWAN"], ["P_LONGJING", "P_GAIWAN"], ["P_LONGJING", "P_GAIWAN", "P_MOONCAKE"],
        ["P_PUER", "P_GAIWAN"], ["P_PUER", "P_GAIWAN"],
        ["P_MOONCAKE", "P_LONGJING"], ["P_MOONCAKE", "P_LONGJING"],
        ["P_MOONCAKE"], ["P_MOONCAKE"], ["P_LONGJING"],
    ];

    public static async Task LoadAsync(IDocumentCollection<Order> orders, RecommendationBuilder recommendations, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (basket, index) in Baskets.Select((b, i) => (b, i)))
        {
            var paidAt = now.AddDays(-(index + 1) * 2);
            var lines = basket.Select(p => new OrderLine($"{p}-1", p, p, "sample", 1_000, 1, 1_000)).ToList();
            var payable = lines.Sum(l => l.LineTotalFen);
            var order = new Order
            {
                Id = $"SAMPLE_ORDER_{index:D2}",
                CustomerId = $"SAMPLE_SHOPPER_{index % 4}",
                PayerOpenId = $"sample-shopper-{index % 4}",
                Status = OrderStatus.Completed,
                Lines = lines,
                Pricing = new PriceBreakdown(payable, 0, 0, payable),
                ProtectedAddress = string.Empty,
                RequestFingerprint = $"sample-{index}",
                CreatedAt = paidAt.AddMinutes(-5),
                ExpiresAt = paidAt.AddMinutes(25),
                Payment = new PaymentRecord($"SAMPLE_TX_{index:D2}", payable, PaymentRecord.Cny, paidAt, $"sample-shopper-{index % 4}"),
            };
            await orders.InsertAsync(OrderStore.KeyOf(order.Id), order, [], cancellationToken);
        }

        await recommendations.RunAsync(cancellationToken);
    }
}
