using Mall.Domain.Common;
using Mall.Domain.Orders;
using static Mall.UnitTests.Orders.OrderBuilder;

namespace Mall.UnitTests.Orders;

public sealed class SystemRefundTests
{
    [Fact]
    public void Refunding_everything_returns_all_that_was_paid_approved_at_once_with_the_units_back_in_stock()
    {
        var paid = Paid();

        var change = paid.RefundEverything("group failed", restock: true, Now.AddHours(1));

        var refund = Assert.Single(change.Order.Refunds);
        Assert.Equal(RefundStatus.Approved, refund.Status);
        Assert.Equal(paid.Pricing.PayableFen, refund.AmountFen);
        Assert.True(refund.Automatic);
        Assert.True(refund.Restock);
        Assert.Equal(paid.Lines.Select(l => (l.SkuId, l.Quantity)), refund.Lines.Select(l => (l.SkuId, l.Quantity)));
        Assert.IsType<RefundApproved>(Assert.Single(change.Events));
    }

    [Fact]
    public void Asking_again_for_the_same_reason_changes_nothing()
    {
        var once = Paid().RefundEverything("group failed", restock: true, Now).Order;

        var twice = once.RefundEverything("group failed", restock: true, Now.AddMinutes(5));

        Assert.False(twice.Changed);
        Assert.Single(twice.Order.Refunds);
    }

    [Fact]
    public void After_a_partial_refund_only_the_rest_goes_back()
    {
        var paid = Paid();
        var partial = RefundSucceeded(paid.RequestRefund([new RefundLine("P1-1", 1)], null, "one broke", Now).Order, "O1R1", Now.AddMinutes(1));

        var rest = partial.RefundEverything("group failed", restock: true, Now.AddMinutes(2)).Order.Refunds[^1];

        Assert.Equal(paid.Pricing.PayableFen - partial.RefundedFen, rest.AmountFen);
        Assert.Equal([new RefundLine("P1-1", 1), new RefundLine("P2-1", 1)], rest.Lines);
    }

    [Fact]
    public void An_unpaid_order_or_a_paid_order_without_stock_has_nothing_to_refund_or_restock()
    {
        Assert.Equal(ErrorCode.RefundNotAllowed, Assert.Throws<DomainException>(() => Pending().RefundEverything("x", restock: true, Now)).Code);
        var balance = Paid() with { HoldsStock = false };
        Assert.False(balance.RefundEverything("x", restock: true, Now).Order.Refunds[^1].Restock);
    }

    /// <summary>
    /// Soak run 14:28 (docs/benchmarks.md, Soak): a group's late-payment refund found the order already refunded in
    /// full by the group's own refund and failed on every retry ("is Refunded; nothing to refund") until parked.
    /// </summary>
    [Fact]
    public void Refunding_everything_of_an_order_already_refunded_in_full_for_another_reason_changes_nothing()
    {
        var refunded = RefundSucceeded(Paid().RefundEverything("group failed", restock: true, Now).Order, "O1R1", Now.AddMinutes(1));
        Assert.Equal(OrderStatus.Refunded, refunded.Status);

        var again = refunded.RefundEverything("paid after the group closed", restock: true, Now.AddMinutes(2));

        Assert.False(again.Changed);
    }

    /// <summary>A customer's request for everything, still waiting for an operator, holds the whole amount: it is taken over, not a reason to give up.</summary>
    [Fact]
    public void Refunding_everything_takes_over_a_customer_request_for_everything()
    {
        var requested = Paid().RequestRefund([], null, "changed my mind", Now).Order;

        var change = requested.RefundEverything("group failed", restock: true, Now.AddMinutes(5));

        Assert.Equal(RefundStatus.Rejected, change.Order.GetRefund("O1R1").Status);
        Assert.Equal(requested.Pricing.PayableFen, change.Order.GetRefund("O1R2").AmountFen);
    }

    /// <summary>While another refund of everything is at WeChat, the automatic one waits (retried) rather than giving up: that refund may still fail.</summary>
    [Fact]
    public void Refunding_everything_while_another_refund_of_everything_is_under_way_waits_for_it()
    {
        var approved = Paid().RefundEverything("group failed", restock: true, Now).Order;

        var waiting = Assert.Throws<DomainException>(() => approved.RefundEverything("paid after the group closed", restock: true, Now.AddMinutes(1)));

        Assert.Equal(ErrorCode.RefundInProgress, waiting.Code);
    }

    [Fact]
    public void Campaign_orders_name_their_source_on_every_event()
    {
        var order = Pending() with { Source = new OrderSource("groupBuy", "GB1", "G1") };

        var paid = order.ApplyPayment(PaymentFor(order), Now.AddMinutes(1));

        var paidEvent = Assert.IsType<OrderPaid>(Assert.Single(paid.Events));
        Assert.Equal(new OrderSource("groupBuy", "GB1", "G1"), paidEvent.Order.Source);
        Assert.Equal(PaymentFor(order).PaidAt, paidEvent.PaidAt);
    }

    /// <summary>
    /// A customer's refund request waiting for an operator sent nothing to WeChat: an automatic refund of everything
    /// (a group that failed, a presale returned) takes its place rather than waiting on an operator, retried until parked.
    /// </summary>
    [Fact]
    public void Refunding_everything_takes_the_place_of_a_customer_request_still_waiting_for_an_operator()
    {
        var requested = Paid().RequestRefund([new RefundLine("P2-1", 1)], null, "broken cup", Now).Order;

        var change = requested.RefundEverything("group failed", restock: true, Now.AddMinutes(5));

        Assert.Equal(RefundStatus.Rejected, change.Order.GetRefund("O1R1").Status);
        var automatic = change.Order.GetRefund("O1R2");
        Assert.Equal((RefundStatus.Approved, requested.Pricing.PayableFen), (automatic.Status, automatic.AmountFen));
        Assert.Equal([typeof(RefundRejected), typeof(RefundApproved)], change.Events.Select(e => e.GetType()));
    }

    [Fact]
    public void Refunding_everything_waits_for_a_refund_already_at_WeChat()
    {
        var atWeChat = Paid().RequestRefund([new RefundLine("P2-1", 1)], null, "broken cup", Now).Order.ApproveRefund("O1R1", null, null, Now).Order;

        Assert.Equal(ErrorCode.RefundInProgress, Assert.Throws<DomainException>(() => atWeChat.RefundEverything("group failed", restock: true, Now)).Code);
    }
}
