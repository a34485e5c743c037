using Mall.Domain.Common;
using Mall.Domain.Orders;
using static Mall.UnitTests.Orders.OrderBuilder;

namespace Mall.UnitTests.Orders;

public sealed class OrderLifecycleTests
{
    [Fact]
    public void A_new_order_expires_after_the_unpaid_timeout_and_announces_itself_once_reserved()
    {
        var (lines, pricing) = OrderPricing.Price([new PricedItem("P1-1", "P1", "Tea", "250g", 100, 1)], Policy);
        var order = Order.Create("O1", "C1", "o", lines, pricing, "p", null, "fp", Now, Policy);

        var opened = order.ConfirmReserved(Now);

        Assert.Equal(OrderStatus.Reserving, order.Status);
        Assert.Equal(Now + TimeSpan.FromMinutes(30), order.ExpiresAt);
        Assert.Equal(OrderStatus.PendingPayment, opened.Order.Status);
        Assert.Equal("order:O1:created", Assert.Single(opened.Events).Id);
        Assert.False(opened.Order.ConfirmReserved(Now).Changed);
    }

    [Fact]
    public void Payment_moves_to_paid_exactly_once_with_one_event()
    {
        var pending = Pending();
        var payment = PaymentFor(pending);

        var first = pending.ApplyPayment(payment, Now);
        var replay = first.Order.ApplyPayment(payment, Now.AddMinutes(5));

        Assert.Equal(OrderStatus.Paid, first.Order.Status);
        Assert.IsType<OrderPaid>(Assert.Single(first.Events));
        Assert.False(replay.Changed);
        Assert.Empty(replay.Events);
    }

    [Fact]
    public void A_presale_deposit_never_ships_is_not_refunded_on_request_and_concludes_once()
    {
        var deposit = Paid() with { Source = new OrderSource(OrderSource.PresaleDeposit, "PS1", "R1") };

        Assert.Equal(ErrorCode.InvalidOrderState, Assert.Throws<DomainException>(() => deposit.Ship("SF", "SF1", Now)).Code);
        Assert.Equal(ErrorCode.RefundNotAllowed, Assert.Throws<DomainException>(() => deposit.RequestRefund([], null, "退定金", Now)).Code);
        var concluded = deposit.ConcludeDeposit("deposit forfeited", Now.AddDays(30));

        Assert.Equal(OrderStatus.Completed, concluded.Order.Status);
        Assert.True(concluded.Order.AfterSaleClosed);
        Assert.Equal([typeof(OrderCompleted), typeof(OrderAfterSaleClosed)], concluded.Events.Select(e => e.GetType()));
        Assert.False(concluded.Order.ConcludeDeposit("again", Now.AddDays(31)).Changed);
        Assert.Throws<DomainException>(() => concluded.Order.Ship("SF", "SF1", Now.AddDays(31)));
        Assert.Throws<DomainException>(() => Paid().ConcludeDeposit("not a deposit", Now));
    }

    [Fact]
    public void A_wrong_amount_is_refused_and_changes_nothing()
    {
        var pending = Pending();

        var exception = Assert.Throws<DomainException>(() => pending.ApplyPayment(PaymentFor(pending) with { AmountFen = 1 }, Now));

        Assert.Equal(ErrorCode.AmountMismatch, exception.Code);
        Assert.Equal(OrderStatus.PendingPayment, pending.Status);
    }

    [Theory]
    [InlineData("USD")]
    [InlineData("cny")]
    [InlineData(null)]
    public void A_payment_in_another_currency_is_refused_like_a_wrong_amount(string? currency)
    {
        var pending = Pending();

        var exception = Assert.Throws<DomainException>(() => pending.ApplyPayment(PaymentFor(pending) with { Currency = currency }, Now));

        Assert.Equal(ErrorCode.AmountMismatch, exception.Code);
    }

    [Fact]
    public void Payment_arriving_just_after_expiry_but_before_closing_is_accepted()
    {
        var pending = Pending();

        Assert.Equal(OrderStatus.Paid, pending.ApplyPayment(PaymentFor(pending), pending.ExpiresAt.AddMinutes(1)).Order.Status);
    }

    [Fact]
    public void A_payment_after_close_is_kept_and_refunded_automatically_once()
    {
        var closed = Pending().CloseIfExpired(Now.AddMinutes(31)).Order;
        var payment = PaymentFor(closed);

        var late = closed.ApplyPayment(payment, Now.AddMinutes(32));
        var replay = late.Order.ApplyPayment(payment, Now.AddMinutes(33));

        Assert.Equal(OrderStatus.Closed, late.Order.Status);
        var refund = Assert.Single(late.Order.Refunds);
        Assert.True(refund.Automatic);
        Assert.Equal(RefundStatus.Approved, refund.Status);
        Assert.Equal(payment.AmountFen, refund.AmountFen);
        Assert.IsType<OrderPaidAfterClose>(Assert.Single(late.Events));
        Assert.False(replay.Changed);

        var refunded = RefundSucceeded(late.Order, refund.Id, Now.AddHours(1));
        Assert.Equal(OrderStatus.Closed, refunded.Status);
        Assert.Equal(0, refunded.RefundedFen);
    }

    [Fact]
    public void Expiry_closes_only_unpaid_orders_and_only_once_due()
    {
        var pending = Pending();

        Assert.False(pending.CloseIfExpired(pending.ExpiresAt.AddTicks(-1)).Changed);
        var closed = pending.CloseIfExpired(pending.ExpiresAt);
        Assert.Equal(OrderStatus.Closed, closed.Order.Status);
        Assert.False(closed.Order.CloseIfExpired(pending.ExpiresAt.AddHours(1)).Changed);
        Assert.False(Paid().CloseIfExpired(Now.AddDays(1)).Changed);
    }

    [Fact]
    public void Only_unpaid_orders_can_be_cancelled_and_cancelling_twice_is_harmless()
    {
        var cancelled = Pending().Cancel(Now, "changed my mind").Order;

        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
        Assert.False(cancelled.Cancel(Now, "again").Changed);
        Assert.Equal(ErrorCode.InvalidOrderState, Assert.Throws<DomainException>(() => Paid().Cancel(Now, "x")).Code);
        Assert.Throws<DomainException>(() => cancelled.RecordPrepay("prepay", Now));
    }

    [Fact]
    public void Ship_confirm_and_after_sale_follow_each_other()
    {
        var shipped = Paid().Ship("SF", "SF1", Now.AddHours(1));
        Assert.IsType<OrderShipped>(Assert.Single(shipped.Events));
        Assert.False(shipped.Order.Ship("SF", "SF1", Now.AddHours(2)).Changed);
        Assert.Throws<DomainException>(() => shipped.Order.Ship("SF", "SF2", Now.AddHours(2)));

        var early = shipped.Order.ConfirmReceipt(Now.AddDays(9), Policy, automatic: true);
        Assert.False(early.Changed);
        var auto = shipped.Order.ConfirmReceipt(Now.AddHours(1) + Policy.AutoConfirmAfter, Policy, automatic: true);
        Assert.Equal(OrderStatus.Completed, auto.Order.Status);
        Assert.Equal(auto.Order.CompletedAt + Policy.AfterSaleWindow, auto.Order.AfterSaleEndsAt);

        Assert.False(auto.Order.CloseAfterSale(auto.Order.AfterSaleEndsAt!.Value.AddTicks(-1)).Changed);
        var closed = auto.Order.CloseAfterSale(auto.Order.AfterSaleEndsAt!.Value);
        Assert.True(closed.Order.AfterSaleClosed);
        Assert.IsType<OrderAfterSaleClosed>(Assert.Single(closed.Events));
    }

    [Fact]
    public void Unpaid_orders_cannot_be_shipped_or_confirmed()
    {
        Assert.Throws<DomainException>(() => Pending().Ship("SF", "1", Now));
        Assert.Throws<DomainException>(() => Paid().ConfirmReceipt(Now, Policy, automatic: false));
        Assert.False(Paid().ConfirmReceipt(Now.AddYears(1), Policy, automatic: true).Changed);
    }

    [Fact]
    public void A_refund_in_progress_blocks_shipping()
    {
        var requested = Paid().RequestRefund([], 100, "late", Now).Order;

        Assert.Equal(ErrorCode.RefundInProgress, Assert.Throws<DomainException>(() => requested.Ship("SF", "1", Now)).Code);
    }
}
