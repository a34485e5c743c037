using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Domain.Orders;
using Mall.Infrastructure.Scheduling;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Payments;

/// <summary>Refunds over Azurite and the WeChat sandbox return every unit and never pay one twice (cases found by review).</summary>
public sealed class RefundConservationTests
{
    private static readonly AddressRequest Address = new() { Recipient = "张三", Phone = "13812345678", Province = "浙江省", City = "杭州市", District = "西湖区", Detail = "龙井路 1 号" };

    [Fact]
    public async Task A_refund_naming_the_same_sku_on_two_lines_returns_every_unit_to_stock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var product = await mall.CreateProductAsync(1300, null, 5);
        var sku = product.Skus[0].Id;
        var customer = await mall.NewCustomerAsync();
        var orderId = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(sku, 2), CancellationToken.None)).Order.Id;
        await mall.PayAsync(customer, orderId);
        Assert.Equal(3, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);

        // Both units back, asked for as two lines of one (the refund validator lets a SKU repeat).
        var refunds = mall.Get<RefundService>();
        var requested = await refunds.RequestAsync(customer, orderId, new RefundRequestBody("退两件", [new OrderItemRequest(sku, 1), new OrderItemRequest(sku, 1)], null), CancellationToken.None);
        var refundId = Assert.Single(requested.Refunds).Id;
        await refunds.ApproveAsync(orderId, refundId, new ApproveRefundRequest(null, null), CancellationToken.None);
        await RunRefundWorkUntilAsync(mall, time, orderId, order => order.Status == OrderStatus.Refunded && order.GetRefund(refundId).StockReturned);

        Assert.Equal(5, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);
    }

    [Fact]
    public async Task Resubmitting_a_refused_refund_after_the_customer_was_refunded_again_does_not_pay_the_same_unit_twice()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var product = await mall.CreateProductAsync(1300, null, 5, 5);
        var (tea, cup) = (product.Skus[0].Id, product.Skus[1].Id);
        var customer = await mall.NewCustomerAsync();
        var orderId = (await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), new CheckoutRequest { Items = [new OrderItemRequest(tea, 1), new OrderItemRequest(cup, 1)], Address = Address }, CancellationToken.None)).Order.Id;
        await mall.PayAsync(customer, orderId);
        var refunds = mall.Get<RefundService>();

        // The cup's refund is refused for good (the merchant lacks the permission) and is listed as owed.
        mall.Environment.Sandbox.RefuseRefunds(orderId, SandboxRefundRefusal.NoAuth, times: 1);
        var first = Assert.Single((await refunds.RequestAsync(customer, orderId, new RefundRequestBody("杯子碎了", [new OrderItemRequest(cup, 1)], null), CancellationToken.None)).Refunds).Id;
        Assert.Equal(RefundStatus.Failed, (await refunds.ApproveAsync(orderId, first, new ApproveRefundRequest(null, null), CancellationToken.None)).Refunds.Single().Status);

        // The customer asks again for the cup and is paid back.
        var second = (await refunds.RequestAsync(customer, orderId, new RefundRequestBody("杯子碎了", [new OrderItemRequest(cup, 1)], null), CancellationToken.None)).Refunds.Single(r => r.Id != first).Id;
        await refunds.ApproveAsync(orderId, second, new ApproveRefundRequest(null, null), CancellationToken.None);
        await RunRefundWorkUntilAsync(mall, time, orderId, order => order.GetRefund(second).Status == RefundStatus.Succeeded);
        var cupShare = (await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None)).GetRefund(second).AmountFen;

        // The operator works the open-refunds list: the first refund still offers "resubmit".
        Assert.Contains((await refunds.ListOpenAsync(null, null, 100, CancellationToken.None)).Items, r => r.Refund.Id == first && r.Actions.Contains("resubmit"));
        try
        {
            await refunds.ResubmitAsync(orderId, first, CancellationToken.None);
            await RunRefundWorkUntilAsync(mall, time, orderId, order => order.GetRefund(first).Status is RefundStatus.Succeeded or RefundStatus.Failed);
        }
        catch (Mall.Domain.Common.DomainException)
        {
            // Refused: fine.
        }

        var paidBackAtWeChat = mall.Environment.Sandbox.Refunds
            .Where(r => r.Resource.OutTradeNo == orderId && r.Resource.Status != RefundStatuses.Closed)
            .Sum(r => r.Resource.Amount!.Refund);
        Assert.True(paidBackAtWeChat <= cupShare, $"one cup ({cupShare} fen) returned; WeChat paid back {paidBackAtWeChat} fen");
        Assert.True((await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[cup] <= 5, "more cups on sale than were ever stocked");
    }

    /// <summary>Runs the refund timers as the clock moves on a minute at a time, until the order gets there.</summary>
    private static Task RunRefundWorkUntilAsync(MallFixture mall, FakeTimeProvider time, string orderId, Func<Order, bool> done) =>
        MallFixture.WaitUntilAsync(async () =>
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await mall.Get<DueWorkProcessor>().RunAsync([RefundWork.Submit, RefundWork.Check, RefundWork.Restock], CancellationToken.None);
            return done(await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None));
        });
}
