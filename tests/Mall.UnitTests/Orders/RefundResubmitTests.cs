using Mall.Domain.Common;
using Mall.Domain.Orders;
using static Mall.UnitTests.Orders.OrderBuilder;

namespace Mall.UnitTests.Orders;

/// <summary>
/// A refund WeChat refused for good is owed until an operator resubmits it, but it reserves nothing meanwhile:
/// a resubmit goes only for what is still owed (found by review: it once paid the same units twice), restocks
/// only an unshipped order, and refund lines naming one SKU twice or overflowing are refused, not a 500.
/// </summary>
public sealed class RefundResubmitTests
{
    private static readonly TimeSpan LongestDelay = TimeSpan.FromMinutes(60);

    /// <summary>Order: P1-1 3000 x 2, P2-1 1000 x 1, shipping 1000; refunds P2-1 (the cup), which WeChat refuses for good.</summary>
    private static Order WithRefusedCupRefund()
    {
        var requested = Paid().RequestRefund([new RefundLine("P2-1", 1)], null, "broken cup", Now).Order;
        var approved = requested.ApproveRefund("O1R1", null, null, Now).Order;
        var refused = approved.RecordRefundRefused("O1R1", "NO_AUTH: 商户无权限", final: true, Now, LongestDelay).Order;
        Assert.Equal(RefundStatus.Failed, refused.GetRefund("O1R1").Status);
        return refused;
    }

    [Fact]
    public void Resubmitting_a_refused_refund_after_its_units_were_refunded_again_does_not_refund_them_twice()
    {
        // The customer asks again for the same cup and is paid back; the operator then resubmits the first
        // refund, which the open-refunds list still offers ("resubmit").
        var refused = WithRefusedCupRefund();
        var again = refused.RequestRefund([new RefundLine("P2-1", 1)], null, "broken cup, again", Now.AddMinutes(5)).Order;
        var repaid = RefundSucceeded(again, "O1R2", Now.AddMinutes(6));
        var cupShare = repaid.GetRefund("O1R2").AmountFen;

        Order after;
        try
        {
            after = repaid.ResubmitRefund("O1R1", Now.AddMinutes(10)).Order;
        }
        catch (DomainException)
        {
            return; // refused: fine
        }

        // WeChat accepts it (the two together are below the payment) and reports SUCCESS.
        var r1 = after.GetRefund("O1R1");
        if (r1.Status == RefundStatus.Approved)
        {
            after = after.MarkRefundSubmitted("O1R1", "W1").Order.CompleteRefund("O1R1", succeeded: true, r1.AmountFen, "W1", Now.AddMinutes(11)).Order;
        }

        var cup = after.Lines.Single(l => l.SkuId == "P2-1");
        Assert.True(cup.RefundedQuantity <= cup.Quantity, $"1 cup sold, {cup.RefundedQuantity} refunded");
        Assert.True(after.RefundedFen <= cupShare, $"the cup's share is {cupShare} fen, {after.RefundedFen} fen refunded");
    }

    [Fact]
    public void Resubmitting_a_refused_refund_while_another_refund_is_under_way_does_not_commit_more_than_was_paid()
    {
        // A refused full refund, then a new full refund requested; the resubmit makes two refunds of everything active at once.
        var full = Paid().RequestRefund([], null, "不要了", Now).Order.ApproveRefund("O1R1", null, null, Now).Order
            .RecordRefundRefused("O1R1", "NO_AUTH: 商户无权限", final: true, Now, LongestDelay).Order;
        var second = full.RequestRefund([], null, "不要了", Now.AddMinutes(5)).Order;

        Order after;
        try
        {
            after = second.ResubmitRefund("O1R1", Now.AddMinutes(10)).Order;
        }
        catch (DomainException)
        {
            return;
        }

        Assert.True(after.Refunds.Count(r => r.IsActive) <= 1, $"{after.Refunds.Count(r => r.IsActive)} refunds active at once");
        Assert.True(after.RefundableFen >= 0, $"refundable {after.RefundableFen} fen");
    }

    [Fact]
    public void A_refused_refund_resubmitted_after_the_order_shipped_does_not_put_shipped_units_back_on_sale()
    {
        // Requested while unshipped (restock on), refused for good; with no refund active the order ships.
        var shipped = WithRefusedCupRefund().Ship("SF", "SF123", Now.AddHours(1)).Order;
        Assert.Equal(OrderStatus.Shipped, shipped.Status);

        var resubmitted = shipped.ResubmitRefund("O1R1", Now.AddHours(2)).Order;
        var refund = resubmitted.Refunds.Single(r => r.Status == RefundStatus.Approved);

        Assert.False(refund.Restock, "the cup left the warehouse, yet its refund will restock it");
    }

    [Fact]
    public void A_refund_closed_by_WeChat_and_replaced_after_the_order_shipped_does_not_put_shipped_units_back_on_sale()
    {
        var requested = Paid().RequestRefund([new RefundLine("P2-1", 1)], null, "broken cup", Now).Order;
        var closed = requested.ApproveRefund("O1R1", null, null, Now).Order.MarkRefundSubmitted("O1R1", "W1").Order
            .CompleteRefund("O1R1", succeeded: false, 0, "W1", Now).Order;
        var shipped = closed.Ship("SF", "SF123", Now.AddHours(1)).Order;

        var replaced = shipped.ResubmitRefund("O1R1", Now.AddHours(2)).Order;
        var replacement = replaced.Refunds.Single(r => r.Status == RefundStatus.Approved);

        Assert.False(replacement.Restock, "the cup left the warehouse, yet its replacement refund will restock it");
    }

    [Fact]
    public void A_refund_whose_unit_counts_overflow_is_refused_as_invalid_not_a_server_error()
    {
        var order = Paid();

        var thrown = Record.Exception(() => order.RequestRefund([new RefundLine("P1-1", int.MaxValue), new RefundLine("P1-1", 1)], null, "x", Now));

        Assert.IsType<DomainException>(thrown);
    }

    [Fact]
    public void Replacing_a_refund_WeChat_closed_waits_for_a_refund_under_way_for_the_same_units()
    {
        var closed = Paid().RequestRefund([new RefundLine("P2-1", 1)], null, "broken cup", Now).Order.ApproveRefund("O1R1", null, null, Now).Order
            .MarkRefundSubmitted("O1R1", "W1").Order.CompleteRefund("O1R1", succeeded: false, 0, "W1", Now).Order;
        var askedAgain = closed.RequestRefund([new RefundLine("P2-1", 1)], null, "broken cup, again", Now.AddMinutes(5)).Order;

        Assert.Equal(ErrorCode.RefundInProgress, Assert.Throws<DomainException>(() => askedAgain.ResubmitRefund("O1R1", Now.AddMinutes(10))).Code);
    }
}
