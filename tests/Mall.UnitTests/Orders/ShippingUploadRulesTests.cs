using Mall.Domain.Orders;

namespace Mall.UnitTests.Orders;

/// <summary>What a shipping upload comes to once WeChat's record of the payment (get_order) is known.</summary>
public sealed class ShippingUploadRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, false, ShippingUploadStep.Upload)]
    [InlineData(WeChatShippingState.AwaitingShipment, false, ShippingUploadStep.Upload)]
    [InlineData(WeChatShippingState.Shipped, false, ShippingUploadStep.AlreadyAtWeChat)]
    [InlineData(WeChatShippingState.ReceiptConfirmed, false, ShippingUploadStep.AlreadyAtWeChat)]
    [InlineData(WeChatShippingState.Completed, true, ShippingUploadStep.AlreadyAtWeChat)]
    [InlineData(WeChatShippingState.Refunded, false, ShippingUploadStep.CannotShip)]
    [InlineData(WeChatShippingState.AwaitingShipment, true, ShippingUploadStep.CannotShip)]
    [InlineData(null, true, ShippingUploadStep.CannotShip)]
    public void WeChats_record_decides(WeChatShippingState? state, bool refusedAsNotShippable, ShippingUploadStep expected) =>
        Assert.Equal(expected, ShippingUploadRules.Decide(state, refusedAsNotShippable));

    [Fact]
    public void Failures_count_attempts_a_retry_reopens_a_given_up_upload_and_the_upload_clears_them()
    {
        var shipment = new Shipment("SF", "SF1", T0);

        var failing = shipment.UploadFailed("-1", "busy", gaveUp: false, T0.AddMinutes(1));
        var gaveUp = failing.UploadFailed("48001", "api unauthorized", gaveUp: true, T0.AddMinutes(3));
        var reopened = gaveUp.RetryUpload();
        var uploaded = reopened.Uploaded(T0.AddMinutes(9));

        Assert.Equal(new ShippingUploadFailure("48001", "api unauthorized", 2, T0.AddMinutes(3), GaveUp: true), gaveUp.UploadFailure);
        Assert.Equal(gaveUp.UploadFailure! with { GaveUp = false }, reopened.UploadFailure);
        Assert.Same(failing, failing.RetryUpload());
        Assert.Equal((T0.AddMinutes(9), null), (uploaded.UploadedToWeChatAt, uploaded.UploadFailure));
        Assert.Same(uploaded, uploaded.UploadFailed("-1", "late", gaveUp: false, T0.AddMinutes(10)));
    }
}
