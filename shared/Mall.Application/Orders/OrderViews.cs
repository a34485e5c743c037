using System.Text.Json;
using Mall.Application.Platform;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

public sealed class OrderViews(IFieldProtector protector)
{
    public string ProtectAddress(ShippingAddress address) => protector.Protect(JsonSerializer.Serialize(address, MallJson.Options));

    /// <summary>The owner sees their full address, and nothing of the mall's dealings with WeChat about the shipping.</summary>
    public OrderView ForOwner(Order order) => Build(order, Address(order)) with { Shipment = order.Shipment is { } shipment ? shipment with { UploadFailure = null } : null };

    /// <summary>
    /// Operators see masked personal data: name, phone and the street line (province, city and district stay, for
    /// routing). Fulfilment reads the full recipient through the audited manage/orders/{id}/recipient.
    /// </summary>
    public OrderView ForOperator(Order order) => Build(order, ForOperator(Address(order)));

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

    private static OrderView Build(Order order, ShippingAddress address) => new(
        order.Id,
        order.CustomerId,
        order.Status,
        order.Lines,
        order.Pricing,
        address,
        order.Remark,
        order.CreatedAt,
        order.ExpiresAt,
        order.Payment is { } p ? new PaymentView(p.AmountFen, p.PaidAt, p.TransactionId) : null,
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
}
