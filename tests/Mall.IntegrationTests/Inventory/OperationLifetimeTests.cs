using Mall.Application.Coupons;
using Mall.Application.GroupBuy;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Inventory;
using Mall.Domain.Orders;

namespace Mall.IntegrationTests.Inventory;

/// <summary>
/// A guarded counter recognises an operation for its whole life, not only while its marker is
/// pending: a retry that read its owner before the owner recorded the change, and applies after the
/// marker was settled, changes nothing. Proved on every caller with retries that actually race.
/// </summary>
public sealed class OperationLifetimeTests
{
    private const int Rounds = 12;

    [Fact]
    public async Task An_operation_applied_again_after_it_was_settled_changes_nothing()
    {
        await using var mall = await MallFixture.StartAsync();
        var counters = mall.Get<CounterStore>();
        var key = new DocumentKey("test|lifetime", Guid.NewGuid().ToString("N"));
        await counters.InitializeAsync(key, 5, CancellationToken.None);

        Assert.Equal(CounterOutcome.Applied, await counters.ApplyAsync(key, "refund:O1R1", 1, 0, long.MaxValue, CancellationToken.None));
        await counters.SettleAsync(key, "refund:O1R1", CancellationToken.None);
        var late = await counters.ApplyAsync(key, "refund:O1R1", 1, 0, long.MaxValue, CancellationToken.None);

        Assert.Equal(CounterOutcome.AlreadyApplied, late);
        Assert.Equal(6, await counters.ValueAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_restocks_of_one_refund_return_its_unit_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(3000, null, 100);
        var sku = product.Skus[0].Id;
        var orders = mall.Get<OrderStore>();
        var refunds = mall.Get<RefundService>();
        var expected = 100L;
        for (var round = 0; round < Rounds; round++)
        {
            var customer = await mall.NewCustomerAsync();
            var placed = await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(sku, 2), CancellationToken.None);
            await mall.PayAsync(customer, placed.Order.Id);
            var refundId = await SucceedRefundOfOneUnitAsync(orders, placed.Order.Id, sku);

            // The inline restock, the scheduled job, a duplicate notification and the check all race.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => refunds.RestockAsync(placed.Order.Id, CancellationToken.None))));

            expected += -2 + 1;
            Assert.True((await orders.GetAsync(placed.Order.Id, CancellationToken.None)).GetRefund(refundId).StockReturned);
            Assert.Equal(expected, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);
        }
    }

    [Fact]
    public async Task Concurrent_retries_of_one_stock_adjustment_apply_it_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(3000, null, 0);
        var sku = product.Skus[0].Id;
        var stock = mall.Get<StockService>();
        for (var round = 1; round <= Rounds; round++)
        {
            var key = $"restock-{Guid.NewGuid():N}";
            var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ =>
                Task.Run(() => stock.AdjustAsync(sku, key, new StockAdjustmentRequest(10, "restock"), CancellationToken.None))));

            Assert.Equal(10L * round, (await stock.AvailableAsync(product.Id, CancellationToken.None))[sku]);
            Assert.All(answers, answer => Assert.True(answer >= 10L * round));
        }
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_coupon_grant_count_it_once_against_quota_and_limit()
    {
        await using var mall = await MallFixture.StartAsync();
        var coupons = mall.Get<CouponService>();
        var template = await coupons.CreateTemplateAsync(
            new CouponTemplateRequest { Name = "满99减20", Kind = CouponKind.Threshold, AmountFen = 2000, MinimumSpendFen = 9900, ValidUntil = DateTimeOffset.UtcNow.AddDays(30), PerCustomerLimit = 1, TotalQuota = 1000, Claimable = true },
            CancellationToken.None);
        var counters = mall.Get<CounterStore>();
        for (var round = 1; round <= Rounds; round++)
        {
            var customer = await mall.NewCustomerAsync();
            var grants = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
                Task.Run(() => coupons.GrantAsync(customer, template.Id, "segment:Potential:2026-11-25", CancellationToken.None))));

            Assert.Single(grants.Select(g => g?.Id).Distinct());
            Assert.NotNull(grants[0]);
            Assert.Equal(round, (await coupons.GetTemplateAsync(template.Id, CancellationToken.None)).Issued);
            Assert.Equal(1, await counters.ValueAsync(new DocumentKey($"coupon|{template.Id}", "customer|" + customer), CancellationToken.None));
        }
    }

    [Fact]
    public async Task Concurrent_retries_of_opening_one_group_take_one_group_of_the_quota()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(6800, null, 1000);
        var groupBuys = mall.Get<GroupBuyService>();
        var campaign = await groupBuys.CreateCampaignAsync(
            new GroupBuyCampaignRequest { SkuId = product.Skus[0].Id, GroupPriceFen = 5800, GroupSize = 2, TimeLimitSeconds = 600, MaxGroups = 100, EndsAt = DateTimeOffset.UtcNow.AddDays(1) }, CancellationToken.None);
        var counters = mall.Get<CounterStore>();
        for (var round = 1; round <= Rounds; round++)
        {
            var leader = await mall.NewCustomerAsync();
            var key = $"group-{Guid.NewGuid():N}";
            var opened = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                try
                {
                    return (await groupBuys.OpenAsync(leader, key, new OpenGroupRequest(campaign.Id, MallFixture.Buy(product.Skus[0].Id, 1).Address), CancellationToken.None)).Group.Id;
                }
                catch (DomainException exception) when (exception.Code == ErrorCode.Busy)
                {
                    // Placing the same order from eight requests at once may answer "retry"; the group is what counts here.
                    return null;
                }
            })));

            Assert.Single(opened.OfType<string>().Distinct());
            Assert.Equal(round, await counters.ValueAsync(new DocumentKey($"groupbuy|{campaign.Id}", "groups"), CancellationToken.None));
        }
    }

    /// <summary>A one-unit refund that WeChat confirmed, without waiting for the sandbox's notification.</summary>
    private static async Task<string> SucceedRefundOfOneUnitAsync(OrderStore orders, string orderId, string skuId)
    {
        var now = DateTimeOffset.UtcNow;
        var requested = await orders.ChangeAsync(orderId, o => o.RequestRefund([new RefundLine(skuId, 1)], null, "wrong size", now), CancellationToken.None);
        var refund = requested.Refunds[^1];
        await orders.ChangeAsync(orderId, o => o.ApproveRefund(refund.Id, null, null, now), CancellationToken.None);
        await orders.ChangeAsync(orderId, o => o.CompleteRefund(refund.Id, succeeded: true, refund.AmountFen, "5030000", now), CancellationToken.None);
        return refund.Id;
    }
}
