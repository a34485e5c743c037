using Mall.Application.Membership;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.Segmentation;
using Mall.Domain.Customers;
using Mall.Domain.Orders;
using Mall.Domain.Segmentation;

namespace Mall.IntegrationTests.Membership;

/// <summary>What a refund takes back from the customer's lifecycle: the points the order earned, and the order itself as a paid order.</summary>
public sealed class RefundedOrderTests
{
    private static async Task<OrderView> PaidOrderAsync(MallFixture mall, string customer, string skuId, int quantity, long? points = null)
    {
        var order = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(skuId, quantity) with { Points = points }, CancellationToken.None)).Order;
        await mall.PayAsync(customer, order.Id);
        await mall.Events.DrainAsync();
        return order;
    }

    /// <summary>A new customer who bought <paramref name="quantity"/> units of a new product and paid.</summary>
    private static async Task<(string Customer, string SkuId, OrderView Order)> CustomerWithPaidOrderAsync(MallFixture mall, long priceFen, int quantity)
    {
        var skuId = (await mall.CreateProductAsync(priceFen, null, 10)).Skus[0].Id;
        var customer = await mall.NewCustomerAsync();
        return (customer, skuId, await PaidOrderAsync(mall, customer, skuId, quantity));
    }

    /// <summary>The customer asks for <paramref name="quantity"/> units back, the operator approves, WeChat pays back.</summary>
    private static async Task RefundAsync(MallFixture mall, string customer, string orderId, string skuId, int quantity)
    {
        var refunds = mall.Get<RefundService>();
        var requested = await refunds.RequestAsync(customer, orderId, new RefundRequestBody("不要了", [new OrderItemRequest(skuId, quantity)], null), CancellationToken.None);
        await refunds.ApproveAsync(orderId, requested.Refunds.Single(r => r.Status == RefundStatus.Requested).Id, new ApproveRefundRequest(null, null), CancellationToken.None);
        await MallFixture.WaitUntilAsync(async () => (await refunds.CheckAsync(orderId, CancellationToken.None)).Outcome == DueWorkOutcome.Done);
        await mall.Events.DrainAsync();
    }

    private static async Task<Customer> CustomerAsync(MallFixture mall, string customerId) =>
        (await mall.Get<IDocumentCollection<Customer>>().FindAsync(DocumentKey.Single(customerId), CancellationToken.None))!.Value;

    private static async Task<long> LedgerTotalAsync(MallFixture mall, string customerId)
    {
        var total = 0L;
        await foreach (var entry in mall.Get<IDocumentCollection<PointsEntry>>().ScanAsync(new DocumentQuery { PartitionKey = customerId }, 100, CancellationToken.None))
        {
            total += entry.Value.Points;
        }

        return total;
    }

    [Fact]
    public async Task Points_earned_on_a_refunded_order_and_already_spent_are_owed_until_the_order_that_spent_them_is_refunded()
    {
        await using var mall = await MallFixture.StartAsync();
        var (big, small) = (await mall.CreateProductAsync(100_000, null, 10), await mall.CreateProductAsync(10_000, null, 10));
        var customer = await mall.NewCustomerAsync();

        // A: 1,000 yuan earns 1,000 points (and Bronze); B spends them (10 yuan off) and earns 90 on its 90 yuan.
        var a = await PaidOrderAsync(mall, customer, big.Skus[0].Id, 1);
        var b = await PaidOrderAsync(mall, customer, small.Skus[0].Id, 1, points: 1_000);
        Assert.Equal((1_000L, 90L), (b.PointsUsed, (await CustomerAsync(mall, customer)).PointsBalance));

        await RefundAsync(mall, customer, a.Id, big.Skus[0].Id, 1);
        var owing = await mall.Get<MembershipService>().GetAsync(customer, CancellationToken.None);
        await RefundAsync(mall, customer, b.Id, small.Skus[0].Id, 1);

        Assert.Equal((0L, 910L), (owing.Points, owing.PointsOwed));
        Assert.Equal(0, (await CustomerAsync(mall, customer)).PointsBalance);
        Assert.Equal(0, await LedgerTotalAsync(mall, customer));
    }

    [Fact]
    public async Task Refunds_in_steps_take_back_exactly_the_points_the_order_earned()
    {
        await using var mall = await MallFixture.StartAsync();

        // 3 × 1.99 + 10.00 shipping = 15.97 yuan: 15 points.
        var (customer, skuId, order) = await CustomerWithPaidOrderAsync(mall, 199, 3);
        Assert.Equal(15, (await CustomerAsync(mall, customer)).PointsBalance);

        var balances = new List<long>();
        for (var unit = 0; unit < 3; unit++)
        {
            await RefundAsync(mall, customer, order.Id, skuId, 1);
            balances.Add((await CustomerAsync(mall, customer)).PointsBalance);
        }

        // 1.99 of 15.97 refunded: 1 point; 3.98: 3 in all; everything: all 15.
        Assert.Equal([14L, 12L, 0L], balances);
        Assert.Equal(0, await LedgerTotalAsync(mall, customer));
    }

    [Fact]
    public async Task An_order_refunded_in_full_no_longer_counts_as_a_paid_order()
    {
        await using var mall = await MallFixture.StartAsync();
        var (customer, skuId, order) = await CustomerWithPaidOrderAsync(mall, 10_000, 2);
        var afterPayment = await CustomerAsync(mall, customer);

        await RefundAsync(mall, customer, order.Id, skuId, 1);
        var afterPartialRefund = (await CustomerAsync(mall, customer)).Activity.PaidOrders;
        await RefundAsync(mall, customer, order.Id, skuId, 1);
        await mall.Get<SegmentationService>().RunAsync(CancellationToken.None);
        var reviewed = await CustomerAsync(mall, customer);

        Assert.Equal((1, CustomerSegment.FirstOrder), (afterPayment.Activity.PaidOrders, afterPayment.Segment!.Segment));
        Assert.Equal(1, afterPartialRefund);
        Assert.Equal((0, 0L), (reviewed.Activity.PaidOrders, reviewed.Activity.LifetimePaidFen));
        Assert.Equal(0, reviewed.Activity.OrdersInLastMonths(DateTimeOffset.UtcNow, 3));
        Assert.Equal(CustomerSegment.Potential, reviewed.Segment!.Segment);
    }
}
