using System.Text.Json;
using Mall.Application.Platform;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

public sealed class OrderViews(IFieldProtector protector)
{
    public string ProtectAddress(ShippingAddress address) => protector.Protect(JsonSerializer.Serialize(address, MallJson.Options));

    /// <summary>The owner sees their full address, and nothing of the mall's dealings with WeChat and its stock (<see cref="OrderView"/>).</summary>
    public OrderView ForOwner(Order order) => new(
        order.Id,
        order.CustomerId,
        order.Status,
        order.Lines.Select(OrderLineView.Of).ToList(),
        order.Pricing,
        Address(order),
        order.Remark,
        order.CreatedAt,
        order.ExpiresAt,
        Payment(order),
        order.Shipment is { } shipment ? new ShipmentView(shipment.Carrier, shipment.TrackingNumber, shipment.ShippedAt) : null,
        order.CompletedAt,
        order.AfterSaleEndsAt,
        order.Refunds.Select(RefundView.Of).ToList(),
        order.RefundedFen,
        order.History.Select(h => new OrderStatusView(h.Status, h.At)).ToList())
    {
        PointsUsed = order.PointsUsed,
        Gift = order.Gift,
        PriorityShipping = order.PriorityShipping,
    };

    /// <summary>
    /// Operators see masked personal data: name, phone and the street line (province, city and district stay, for
    /// routing). Fulfilment reads the full recipient through the audited manage/orders/{id}/recipient.
    /// </summary>
    public OperatorOrderView ForOperator(Order order) => new(
        order.Id,
        order.CustomerId,
        order.Status,
        order.Lines,
        order.Pricing,
        ForOperator(Address(order)),
        order.Remark,
        order.CreatedAt,
        order.ExpiresAt,
        Payment(order),
        order.Shipment,
        order.CompletedAt,
        order.AfterSaleEndsAt,
        order.Refunds,
        order.RefundedFen,
        order.History)
    {
        PointsUsed = order.PointsUsed,
        Gift = order.Gift,
        PriorityShipping = order.PriorityShipping,
    };

    /// <summary>An address as operators see it: recipient, phone and street line masked.</summary>
    public static ShippingAddress ForOperator(ShippingAddress address) => address with
    {
        Recipient = PersonalData.MaskName(address.Recipient),
        Phone = PersonalData.MaskPhone(address.Phone),
        Detail = PersonalData.MaskAddressLine(address.Detail),
    };

    public ShippingAddress Address(Order order) => Unprotect(order.ProtectedAddress);

    /// <summary>An address stored with <see cref="ProtectAddress"/>.</summary>
    public ShippingAddress Unprotect(string protectedAddress) =>
        JsonSerializer.Deserialize<ShippingAddress>(protector.Unprotect(protectedAddress), MallJson.Options)!;

    private static PaymentView? Payment(Order order) => order.Payment is { } p ? new PaymentView(p.AmountFen, p.PaidAt, p.TransactionId) : null;
}
