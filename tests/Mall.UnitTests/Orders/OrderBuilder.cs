using Mall.Application.Orders;
using Mall.Domain.Orders;

namespace Mall.UnitTests.Orders;

/// <summary>Orders in a given state, built through the real transitions.</summary>
public static class OrderBuilder
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
    public static readonly OrderPolicy Policy = new OrderOptions().ToPolicy();

    public static Order Pending(params PricedItem[] items)
    {
        var priced = items.Length > 0 ? items : [new PricedItem("P1-1", "P1", "Tea", "250g", 3000, 2), new PricedItem("P2-1", "P2", "Cup", "white", 1000, 1)];
        var (lines, pricing) = OrderPricing.Price(priced, Policy);
        var order = Order.Create("O1", "C1", "openid-1", lines, pricing, "protected", null, "fp", Now, Policy);
        return order.ConfirmReserved(Now).Order;
    }

    public static PaymentRecord PaymentFor(Order order, string transactionId = "T1") =>
        new(transactionId, order.Pricing.PayableFen, PaymentRecord.Cny, Now.AddMinutes(1), "openid-1");

    public static Order Paid(params PricedItem[] items)
    {
        var pending = Pending(items);
        return pending.ApplyPayment(PaymentFor(pending), Now.AddMinutes(1)).Order;
    }

    public static Order Shipped() => Paid().Ship("SF", "SF123", Now.AddHours(1)).Order;

    public static Order Completed() => Shipped().ConfirmReceipt(Now.AddDays(2), Policy, automatic: false).Order;

    public static Order RefundSucceeded(Order order, string refundId, DateTimeOffset at)
    {
        var refund = order.GetRefund(refundId);
        var approved = order.ApproveRefund(refundId, null, null, at).Order.MarkRefundSubmitted(refundId, "W" + refundId).Order;
        return approved.CompleteRefund(refundId, succeeded: true, refund.AmountFen, "W" + refundId, at).Order;
    }
}
