using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.WeChat;
using Mall.Domain.Orders;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Sandbox;

namespace Mall.IntegrationTests.Orders;

/// <summary>
/// The shipping-info upload (发货信息录入, /wxa/sec/order/upload_shipping_info) against WeChat's failures:
/// permanent refusals give up and are listed for operators, a lost answer is settled by asking WeChat
/// (get_order) rather than spending its one permitted update, and an update already used counts as uploaded.
/// </summary>
public sealed class ShippingUploadTests
{
    private static readonly ShipRequest Parcel = new("SF", "SF1234567890");

    private static async Task<(MallFixture Mall, Order Order)> PaidOrderAsync()
    {
        var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(3000, null, 5);
        var customer = await mall.NewCustomerAsync();
        var created = await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None);
        await mall.PayAsync(customer, created.Order.Id);
        return (mall, await mall.Get<OrderStore>().GetAsync(created.Order.Id, CancellationToken.None));
    }

    private static int UploadsOf(MallFixture mall, Order order) =>
        mall.Environment.Sandbox.ShippingUploads.Count(upload => upload.Upload.OrderKey!.TransactionId == order.Payment!.TransactionId);

    private static async Task<Shipment> ShipmentAsync(MallFixture mall, string orderId) =>
        (await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None)).Shipment!;

    [Fact]
    public async Task A_lost_answer_is_settled_by_asking_WeChat_and_the_upload_is_not_sent_again()
    {
        var (mall, order) = await PaidOrderAsync();
        await using var _ = mall;
        var orders = mall.Get<OrderService>();
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.UploadShippingInfo, SandboxFault.AnswerLost);

        await orders.ShipAsync(order.Id, Parcel, CancellationToken.None);
        var retried = await orders.UploadShippingInfoAsync(order.Id, CancellationToken.None);

        Assert.Equal(DueWorkOutcome.Done, retried.Outcome);
        Assert.Equal(1, UploadsOf(mall, order));
        Assert.NotNull((await ShipmentAsync(mall, order.Id)).UploadedToWeChatAt);
    }

    [Fact]
    public async Task When_WeChat_says_the_one_update_was_used_the_order_counts_as_uploaded()
    {
        var (mall, order) = await PaidOrderAsync();
        await using var _ = mall;
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.UploadShippingInfo, SandboxFault.Error(WeChatErrorCodes.ShippingUpdateUsed, "支付单已使用重新发货机会"));

        await mall.Get<OrderService>().ShipAsync(order.Id, Parcel, CancellationToken.None);

        var shipment = await ShipmentAsync(mall, order.Id);
        Assert.NotNull(shipment.UploadedToWeChatAt);
        Assert.Null(shipment.UploadFailure);
    }

    [Theory]
    [InlineData(WeChatErrorCodes.ApiUnauthorized)]
    [InlineData(WeChatErrorCodes.PayerMismatch)]
    [InlineData(WeChatErrorCodes.DataFormatError)]
    public async Task A_permanent_refusal_gives_up_is_listed_with_its_reason_and_an_operator_can_retry(int errCode)
    {
        var (mall, order) = await PaidOrderAsync();
        await using var _ = mall;
        var orders = mall.Get<OrderService>();
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.UploadShippingInfo, SandboxFault.Error(errCode, "refused"), int.MaxValue);

        await orders.ShipAsync(order.Id, Parcel, CancellationToken.None);
        var due = await orders.UploadShippingInfoAsync(order.Id, CancellationToken.None);

        Assert.Equal(DueWorkOutcome.Done, due.Outcome);
        var failure = (await ShipmentAsync(mall, order.Id)).UploadFailure!;
        Assert.Equal((errCode.ToString(System.Globalization.CultureInfo.InvariantCulture), true, 1), (failure.Code, failure.GaveUp, failure.Attempts));
        Assert.Contains("refused", failure.Reason, StringComparison.Ordinal);
        var listed = Assert.Single((await orders.ListShippingUploadFailuresAsync(null, 50, CancellationToken.None)).Items);
        Assert.Equal((order.Id, failure), (listed.OrderId, listed.Failure));

        mall.Environment.Sandbox.ClearFaults();
        await orders.RetryShippingUploadAsync(order.Id, CancellationToken.None);

        Assert.NotNull((await ShipmentAsync(mall, order.Id)).UploadedToWeChatAt);
        Assert.Empty((await orders.ListShippingUploadFailuresAsync(null, 50, CancellationToken.None)).Items);
        Assert.Equal(1, UploadsOf(mall, order));
    }

    [Theory]
    [InlineData(WeChatErrorCodes.Busy)]
    [InlineData(WeChatErrorCodes.RateLimited)]
    [InlineData(WeChatErrorCodes.PaymentNotFound)]
    public async Task A_passing_error_is_listed_while_it_is_retried_and_then_the_upload_goes_through(int errCode)
    {
        var (mall, order) = await PaidOrderAsync();
        await using var _ = mall;
        var orders = mall.Get<OrderService>();
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.UploadShippingInfo, SandboxFault.Error(errCode));

        await orders.ShipAsync(order.Id, Parcel, CancellationToken.None);
        var failing = (await ShipmentAsync(mall, order.Id)).UploadFailure!;
        var listed = (await orders.ListShippingUploadFailuresAsync(null, 50, CancellationToken.None)).Items;
        await orders.UploadShippingInfoAsync(order.Id, CancellationToken.None);

        Assert.Equal((errCode.ToString(System.Globalization.CultureInfo.InvariantCulture), false), (failing.Code, failing.GaveUp));
        Assert.Equal(order.Id, Assert.Single(listed).OrderId);
        var shipment = await ShipmentAsync(mall, order.Id);
        Assert.NotNull(shipment.UploadedToWeChatAt);
        Assert.Null(shipment.UploadFailure);
        Assert.Equal(1, UploadsOf(mall, order));
    }

    [Fact]
    public async Task A_payment_refunded_at_WeChat_is_not_shippable_and_the_upload_gives_up_saying_so()
    {
        var (mall, order) = await PaidOrderAsync();
        await using var _ = mall;
        await mall.Get<IWeChatPay>().CreateRefundAsync(new RefundSubmission(order.Id, order.Id + "X1", order.Payment!.AmountFen, order.Payment.AmountFen, "refunded elsewhere"), CancellationToken.None);
        await MallFixture.WaitUntilAsync(() => Task.FromResult(mall.Environment.Sandbox.Refunds.Any(refund => refund.OutRefundNo == order.Id + "X1" && refund.Resource.Status == "SUCCESS")));

        await mall.Get<OrderService>().ShipAsync(order.Id, Parcel, CancellationToken.None);

        var failure = (await ShipmentAsync(mall, order.Id)).UploadFailure!;
        Assert.True(failure.GaveUp);
        Assert.Equal(WeChatErrorCodes.NotShippable.ToString(System.Globalization.CultureInfo.InvariantCulture), failure.Code);
        Assert.Contains("refunded", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(0, UploadsOf(mall, order));
    }
}
