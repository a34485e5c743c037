namespace Mall.Domain.Orders;

/// <summary>A payment's state at WeChat's order shipping service (发货信息管理服务, get_order's order_state).</summary>
public enum WeChatShippingState
{
    AwaitingShipment,
    Shipped,
    ReceiptConfirmed,
    Completed,
    Refunded,
}

/// <summary>Why WeChat has not taken an order's shipping info yet: the latest failed attempt.</summary>
/// <param name="Code">WeChat's errcode, when it answered one.</param>
/// <param name="GaveUp">Final: no more automatic attempts until an operator asks for one.</param>
public sealed record ShippingUploadFailure(string? Code, string Reason, int Attempts, DateTimeOffset At, bool GaveUp);

/// <summary>What an upload comes to once WeChat's own record of the payment is known.</summary>
public enum ShippingUploadStep
{
    /// <summary>WeChat holds no shipping for the payment: upload it.</summary>
    Upload,

    /// <summary>WeChat holds shipping for the payment (an earlier answer was lost): record it as uploaded, send nothing.</summary>
    AlreadyAtWeChat,

    /// <summary>WeChat will not take shipping for the payment (refunded, or refused as not shippable): give up.</summary>
    CannotShip,
}

public static class ShippingUploadRules
{
    /// <summary>
    /// WeChat allows one correction after the first upload and refuses everything after it (10060003), so an
    /// upload whose first answer was lost must not go out again blindly: what WeChat holds decides.
    /// </summary>
    /// <param name="state">From get_order; null when WeChat does not know the payment yet (it shows up within a minute).</param>
    /// <param name="refusedAsNotShippable">WeChat has just answered an upload with 10060004 (not shippable).</param>
    public static ShippingUploadStep Decide(WeChatShippingState? state, bool refusedAsNotShippable) => state switch
    {
        WeChatShippingState.Shipped or WeChatShippingState.ReceiptConfirmed or WeChatShippingState.Completed => ShippingUploadStep.AlreadyAtWeChat,
        WeChatShippingState.Refunded => ShippingUploadStep.CannotShip,
        _ when refusedAsNotShippable => ShippingUploadStep.CannotShip,
        _ => ShippingUploadStep.Upload,
    };
}
