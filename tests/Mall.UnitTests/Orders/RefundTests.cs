using Mall.Domain.Common;
using Mall.Domain.Orders;
using static Mall.UnitTests.Orders.OrderBuilder;

namespace Mall.UnitTests.Orders;

public sealed class RefundTests
{
    [Fact]
    public void Refunding_units_costs_their_share_and_all_steps_add_up_to_the_amount_paid()
    {
        // 3 x 3333 + 1 x 1000 = 10999 goods (free shipping): refund the 3333s one at a time, then the rest.
        var order = Paid(new PricedItem("A-1", "A", "a", "x", 3333, 3), new PricedItem("B-1", "B", "b", "y", 1000, 1));
        var total = 0L;
        foreach (var (sku, at) in new[] { ("A-1", 1), ("A-1", 2), ("A-1", 3), ("B-1", 4) })
        {
            var requested = order.RequestRefund([new RefundLine(sku, 1)], null, "return", Now.AddMinutes(at)).Order;
            var refund = requested.ActiveRefund!;
            total += refund.AmountFen;
            order = RefundSucceeded(requested, refund.Id, Now.AddMinutes(at));
        }

        Assert.Equal(order.Payment!.AmountFen, total);
        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.All(order.Lines, l => Assert.Equal(l.Quantity, l.RefundedQuantity));
    }

    [Fact]
    public void The_last_units_also_return_the_shipping_fee()
    {
        var order = Paid(new PricedItem("A-1", "A", "a", "x", 1000, 2));
        Assert.Equal(1000, order.Pricing.ShippingFen);

        var first = order.RequestRefund([new RefundLine("A-1", 1)], null, "r", Now).Order;
        Assert.Equal(1000, first.ActiveRefund!.AmountFen);
        var afterFirst = RefundSucceeded(first, first.ActiveRefund.Id, Now);

        var second = afterFirst.RequestRefund([new RefundLine("A-1", 1)], null, "r", Now).Order;
        Assert.Equal(2000, second.ActiveRefund!.AmountFen);
    }

    [Fact]
    public void A_partial_amount_refund_leaves_the_order_in_its_state()
    {
        var order = Paid();
        var requested = order.RequestRefund([], 500, "price adjustment", Now);
        var refund = requested.Order.ActiveRefund!;

        var done = RefundSucceeded(requested.Order, refund.Id, Now);

        Assert.IsType<RefundRequested>(Assert.Single(requested.Events));
        Assert.Equal(OrderStatus.Paid, done.Status);
        Assert.Equal(500, done.RefundedFen);
        Assert.Equal(order.Payment!.AmountFen - 500, done.RefundableFen);
        Assert.False(refund.Restock);
    }

    [Fact]
    public void A_refund_of_everything_by_amount_covers_every_unit_not_yet_refunded_and_restocks_them_while_unshipped()
    {
        var order = Paid();
        var partly = RefundSucceeded(order.RequestRefund([new RefundLine("P1-1", 1)], null, "r", Now).Order, "O1R1", Now);

        var asked = partly.RequestRefund([], null, "x", Now).Order.ActiveRefund!;
        var byAmount = partly.RequestRefund([], partly.RefundableFen, "x", Now).Order.ActiveRefund!;
        var shipped = Shipped().RequestRefund([], null, "x", Now).Order.ActiveRefund!;

        Assert.Equal([new RefundLine("P1-1", 1), new RefundLine("P2-1", 1)], asked.Lines);
        Assert.Equal(partly.RefundableFen, asked.AmountFen);
        Assert.True(asked.Restock);
        Assert.Equal(asked.Lines, byAmount.Lines);
        Assert.True(byAmount.Restock);
        Assert.Equal(2, shipped.Lines.Count);
        Assert.False(shipped.Restock);
        var approved = partly.RequestRefund([], null, "x", Now).Order.ApproveRefund("O1R2", true, null, Now).Order;
        Assert.True(approved.GetRefund("O1R2").Restock);
        Assert.Equal(OrderStatus.Refunded, RefundSucceeded(approved, "O1R2", Now).Status);
    }

    [Fact]
    public void A_retryable_refusal_keeps_the_refund_approved_with_a_growing_delay_and_a_final_one_fails_it_until_resubmitted()
    {
        var approved = Paid().RequestRefund([], null, "r", Now).Order.ApproveRefund("O1R1", null, null, Now).Order;
        var longest = TimeSpan.FromMinutes(60);

        var first = approved.RecordRefundRefused("O1R1", "NOT_ENOUGH: 余额不足", final: false, Now, longest).Order;
        var second = first.RecordRefundRefused("O1R1", "NOT_ENOUGH: 余额不足", final: false, Now, longest).Order;
        var failed = second.RecordRefundRefused("O1R1", "NO_AUTH: 没有退款权限", final: true, Now, longest);
        var resubmitted = failed.Order.ResubmitRefund("O1R1", Now);

        Assert.Equal((RefundStatus.Approved, 1, Now.AddMinutes(1)), (first.GetRefund("O1R1").Status, first.GetRefund("O1R1").SubmitAttempts, first.GetRefund("O1R1").RetryAt));
        Assert.Equal(Now.AddMinutes(2), second.GetRefund("O1R1").RetryAt);
        Assert.Equal(longest, Refund.RetryDelay(30, longest));
        Assert.Equal(RefundStatus.Failed, failed.Order.GetRefund("O1R1").Status);
        Assert.IsType<RefundFailed>(Assert.Single(failed.Events));
        Assert.True(failed.Order.GetRefund("O1R1").IsOpen);
        Assert.Equal(0, failed.Order.RefundedFen);
        Assert.Equal(RefundStatus.Approved, resubmitted.Order.GetRefund("O1R1").Status);
        Assert.Single(resubmitted.Order.Refunds);
    }

    [Fact]
    public void A_refund_wechat_closed_is_replaced_by_a_new_one_and_leaves_the_open_list()
    {
        var processing = Paid().RequestRefund([new RefundLine("P1-1", 1)], null, "r", Now).Order.ApproveRefund("O1R1", null, null, Now).Order.MarkRefundSubmitted("O1R1", "W1").Order;
        var closed = processing.CompleteRefund("O1R1", succeeded: false, 0, "W1", Now).Order;

        var replaced = closed.ResubmitRefund("O1R1", Now).Order;

        var replacement = replaced.GetRefund("O1R2");
        Assert.Equal(("O1R2", false), (replaced.GetRefund("O1R1").SupersededBy, replaced.GetRefund("O1R1").IsOpen));
        Assert.Equal((RefundStatus.Approved, closed.GetRefund("O1R1").AmountFen, closed.GetRefund("O1R1").Lines), (replacement.Status, replacement.AmountFen, replacement.Lines));
        Assert.Throws<DomainException>(() => replaced.ResubmitRefund("O1R1", Now));
    }

    [Fact]
    public void An_abnormal_refund_holds_its_money_until_the_later_success_and_only_an_abnormal_refund_moves_it()
    {
        var processing = Paid().RequestRefund([], null, "r", Now).Order.ApproveRefund("O1R1", null, null, Now).Order.MarkRefundSubmitted("O1R1", "W1").Order;

        var abnormal = processing.MarkRefundAbnormal("O1R1", "W1").Order;
        var applied = abnormal.ApplyAbnormalRefund("O1R1", AbnormalRefundDestination.MerchantBankCard).Order;
        var done = applied.CompleteRefund("O1R1", succeeded: true, processing.Payment!.AmountFen, "W1", Now).Order;

        Assert.Equal((RefundStatus.Abnormal, 0L, 0L), (abnormal.GetRefund("O1R1").Status, abnormal.RefundedFen, abnormal.RefundableFen));
        Assert.Equal(ErrorCode.RefundInProgress, Assert.Throws<DomainException>(() => abnormal.RequestRefund([], null, "again", Now)).Code);
        Assert.Throws<DomainException>(() => abnormal.ResubmitRefund("O1R1", Now));
        Assert.Throws<DomainException>(() => processing.ApplyAbnormalRefund("O1R1", AbnormalRefundDestination.UserBankCard));
        Assert.False(applied.MarkRefundAbnormal("O1R1", "W1").Changed);
        Assert.Equal(RefundStatus.Processing, applied.GetRefund("O1R1").Status);
        Assert.Equal(OrderStatus.Refunded, done.Status);
        Assert.Equal(OrderStatus.Refunded, abnormal.CompleteRefund("O1R1", succeeded: true, processing.Payment!.AmountFen, "W1", Now).Order.Status);
    }

    [Fact]
    public void Refund_limits_are_enforced()
    {
        var order = Paid();

        Assert.Equal(ErrorCode.RefundAmountExceeded, Assert.Throws<DomainException>(() => order.RequestRefund([], order.Payment!.AmountFen + 1, "r", Now)).Code);
        Assert.Throws<DomainException>(() => order.RequestRefund([new RefundLine("P1-1", 3)], null, "r", Now));
        Assert.Throws<DomainException>(() => order.RequestRefund([new RefundLine("nope", 1)], null, "r", Now));
        var requested = order.RequestRefund([], 100, "r", Now).Order;
        Assert.Equal(ErrorCode.RefundInProgress, Assert.Throws<DomainException>(() => requested.RequestRefund([], 100, "r", Now)).Code);
        Assert.Equal(ErrorCode.RefundNotAllowed, Assert.Throws<DomainException>(() => Pending().RequestRefund([], 100, "r", Now)).Code);
    }

    [Fact]
    public void After_sale_window_bounds_refunds_of_completed_orders()
    {
        var completed = Completed();

        Assert.True(completed.RequestRefund([], 100, "r", completed.AfterSaleEndsAt!.Value.AddTicks(-1)).Changed);
        Assert.Equal(ErrorCode.RefundNotAllowed, Assert.Throws<DomainException>(() => completed.RequestRefund([], 100, "r", completed.AfterSaleEndsAt!.Value)).Code);
    }

    [Fact]
    public void Unshipped_unit_refunds_restock_by_default_shipped_ones_only_when_the_operator_says_so()
    {
        var paid = Paid().RequestRefund([new RefundLine("P1-1", 1)], null, "r", Now).Order;
        var shipped = Shipped().RequestRefund([new RefundLine("P1-1", 1)], null, "r", Now).Order;

        Assert.True(paid.ActiveRefund!.Restock);
        Assert.False(shipped.ActiveRefund!.Restock);
        Assert.True(shipped.ApproveRefund(shipped.ActiveRefund.Id, restock: true, "goods back", Now).Order.GetRefund(shipped.ActiveRefund.Id).Restock);
    }

    [Fact]
    public void Refund_transitions_are_idempotent_and_guarded()
    {
        var requested = Paid().RequestRefund([], 100, "r", Now).Order;
        var id = requested.ActiveRefund!.Id;

        var approved = requested.ApproveRefund(id, null, null, Now).Order;
        Assert.False(approved.ApproveRefund(id, null, null, Now).Changed);
        Assert.Throws<DomainException>(() => approved.RejectRefund(id, "no", Now));
        Assert.Throws<DomainException>(() => requested.CompleteRefund(id, true, 100, "W", Now));
        var done = approved.CompleteRefund(id, true, 100, "W", Now).Order;
        Assert.False(done.CompleteRefund(id, true, 100, "W", Now).Changed);
        Assert.Equal(ErrorCode.AmountMismatch, Assert.Throws<DomainException>(() => approved.CompleteRefund(id, true, 99, "W", Now)).Code);
    }

    [Fact]
    public void A_failed_refund_frees_the_amount_for_a_new_request()
    {
        var order = Paid();
        var requested = order.RequestRefund([], order.Payment!.AmountFen, "r", Now).Order;
        var id = requested.ActiveRefund!.Id;

        var failed = requested.ApproveRefund(id, null, null, Now).Order.CompleteRefund(id, false, 0, null, Now);

        Assert.Equal(RefundStatus.Failed, failed.Order.GetRefund(id).Status);
        Assert.IsType<RefundFailed>(Assert.Single(failed.Events));
        Assert.Equal(order.Payment.AmountFen, failed.Order.RefundableFen);
    }

    [Theory]
    [InlineData("O12RZ3R1", "O12RZ3")]
    [InlineData("OABCR12", "OABC")]
    [InlineData("OABC", null)]
    [InlineData("OABCR", null)]
    public void Refund_ids_lead_back_to_their_order(string refundId, string? orderId) =>
        Assert.Equal(orderId, Order.OrderIdOfRefund(refundId));
}
