using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Mall.Infrastructure.Scheduling;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.Time.Testing;

using Mall.Testing;

namespace Mall.IntegrationTests.Payments;

/// <summary>
/// Money owed to a customer never stops being owed: refunds WeChat refuses for a reason it means to be
/// retried are retried (same out_refund_no), final refusals wait for an operator, and an ABNORMAL
/// refund waits for the operator's abnormal-refund instruction and completes on the later SUCCESS.
/// </summary>
public sealed class RefundRecoveryTests
{
    [Fact]
    public async Task A_refund_refused_for_a_short_balance_is_retried_with_the_same_out_refund_no_until_it_is_paid_back()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var (orderId, customer) = await PendingOrderAsync(mall);
        await mall.Get<PaymentService>().PayAsync(customer, orderId, CancellationToken.None);
        // Paid at WeChat after the mall closed the order: the automatic refund meets an empty balance twice.
        await mall.Get<OrderStore>().ChangeAsync(orderId, o => o.CloseIfExpired(o.ExpiresAt), CancellationToken.None);
        mall.Environment.Sandbox.RefuseRefunds(orderId, SandboxRefundRefusal.NotEnough, times: 2);
        await mall.Environment.Sandbox.PayAsync(orderId, new SandboxPayOptions { Notify = false });
        await mall.Get<PaymentService>().HandleNotificationAsync(mall.PaymentNotification(orderId), CancellationToken.None);

        await RunRefundWorkUntilAsync(mall, time, orderId, order => order.Refunds.Single().Status == RefundStatus.Succeeded);

        var refund = Assert.Single(mall.Environment.Sandbox.Refunds);
        var order = await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None);
        Assert.Equal(Assert.Single(order.Refunds).Id, refund.OutRefundNo);
        Assert.Equal(order.LatePayment!.AmountFen, refund.Resource.Amount!.Refund);
    }

    [Fact]
    public async Task A_success_after_an_abnormal_refund_completes_it_and_nothing_is_refundable_meanwhile()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var (orderId, customer, refundId) = await AbnormalRefundAsync(mall);
        var refunds = mall.Get<RefundService>();

        // WeChat could not pay it back to the original account: the money is neither back nor refundable again.
        await RunRefundWorkUntilAsync(mall, time, orderId, _ => mall.Environment.Sandbox.Refunds.Single().Resource.Status == RefundStatuses.Abnormal);
        await refunds.CheckAsync(orderId, CancellationToken.None);
        var abnormal = await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None);
        Assert.Equal(0, abnormal.RefundedFen);
        Assert.Equal(0, abnormal.RefundableFen);
        Assert.Equal(ErrorCode.RefundInProgress, (await Assert.ThrowsAsync<DomainException>(() => refunds.RequestAsync(customer, orderId, new RefundRequestBody("再退一次", null, null), CancellationToken.None))).Code);

        // The merchant resolved it (e.g. to the merchant's bank account): WeChat's SUCCESS completes it.
        var resolved = mall.Environment.Sandbox.Refunds.Single().NotificationResource with { RefundStatus = RefundStatuses.Success, SuccessTime = time.GetUtcNow() };
        var webhook = mall.Environment.Sandbox.BuildRefundNotification(resolved);
        await refunds.HandleNotificationAsync(new WebhookRequest(webhook.Body, webhook.Headers), CancellationToken.None);

        var refunded = await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None);
        Assert.Equal(RefundStatus.Succeeded, refunded.GetRefund(refundId).Status);
        Assert.Equal(OrderStatus.Refunded, refunded.Status);
        Assert.Equal(refunded.Payment!.AmountFen, refunded.RefundedFen);
    }

    /// <summary>WeChat redelivers a notification it got no answer to: an abnormal refund still counts once as not succeeded (found by review).</summary>
    [Fact]
    public async Task An_abnormal_refund_reported_by_racing_notifications_and_a_check_is_counted_once()
    {
        await using var mall = await MallFixture.StartAsync();
        using var metrics = new RecordedMetrics(mall.Services);
        var (orderId, _, refundId) = await AbnormalRefundAsync(mall);
        await MallFixture.WaitUntilAsync(() => Task.FromResult(mall.Environment.Sandbox.Refunds.Single().Resource.Status == RefundStatuses.Abnormal));
        var webhook = mall.Environment.Sandbox.BuildRefundNotification(mall.Environment.Sandbox.Refunds.Single().NotificationResource);
        var refunds = mall.Get<RefundService>();

        await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => i == 0 ? (Task)refunds.CheckAsync(orderId, CancellationToken.None) : refunds.HandleNotificationAsync(new WebhookRequest(webhook.Body, webhook.Headers), CancellationToken.None))));

        Assert.Equal(RefundStatus.Abnormal, (await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None)).GetRefund(refundId).Status);
        Assert.Equal(1, metrics.Sum("mall.refunds.not_succeeded"));
    }

    /// <summary>
    /// An abnormal refund the operator sends to another account goes back to PROCESSING; when WeChat then closes it,
    /// the refund had already been counted as not succeeded (at ABNORMAL): it must not count a second time (found by
    /// review of the issue-12 fixes: the transition that sticks starts from PROCESSING, so CLOSED counts it again).
    /// </summary>
    [Fact]
    public async Task An_abnormal_refund_closed_after_the_operators_abnormal_refund_is_counted_not_succeeded_once()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        using var metrics = new RecordedMetrics(mall.Services);
        var (orderId, _, refundId) = await AbnormalRefundAsync(mall);
        var refunds = mall.Get<RefundService>();
        await RunRefundWorkUntilAsync(mall, time, orderId, order => order.GetRefund(refundId).Status == RefundStatus.Abnormal);
        Assert.Equal(1, metrics.Sum("mall.refunds.not_succeeded"));

        var applied = await refunds.ApplyAbnormalRefundAsync(orderId, refundId, new AbnormalRefundBody(AbnormalRefundDestination.MerchantBankCard, null, null, null), CancellationToken.None);
        Assert.Equal(RefundStatus.Processing, applied.Refunds.Single().Status);
        var closed = mall.Environment.Sandbox.Refunds.Single().NotificationResource with { RefundStatus = RefundStatuses.Closed, SuccessTime = null };
        var webhook = mall.Environment.Sandbox.BuildRefundNotification(closed);
        await refunds.HandleNotificationAsync(new WebhookRequest(webhook.Body, webhook.Headers), CancellationToken.None);

        Assert.Equal(RefundStatus.Failed, (await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None)).GetRefund(refundId).Status);
        Assert.Equal(1, metrics.Sum("mall.refunds.not_succeeded"));
    }

    [Fact]
    public async Task A_final_refusal_fails_the_refund_lists_it_for_operators_and_a_resubmit_under_the_same_out_refund_no_pays_it_back()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var (orderId, customer) = await PaidOrderAsync(mall);
        mall.Environment.Sandbox.RefuseRefunds(orderId, SandboxRefundRefusal.NoAuth);
        var refunds = mall.Get<RefundService>();

        var (refundId, approved) = await RefundEverythingAsync(mall, orderId, customer);

        var refused = approved.Refunds.Single();

        Assert.Equal(RefundStatus.Failed, refused.Status);
        Assert.StartsWith(WeChatPayErrorCodes.NoAuth, refused.LastError);
        var listed = Assert.Single((await refunds.ListOpenAsync(null, null, 100, CancellationToken.None)).Items, r => r.OrderId == orderId);
        Assert.Equal(refundId, listed.Refund.Id);
        Assert.Equal(["resubmit"], listed.Actions);
        Assert.Single((await refunds.ListOpenAsync(RefundStatus.Failed, null, 100, CancellationToken.None)).Items, r => r.OrderId == orderId);
        Assert.DoesNotContain((await refunds.ListOpenAsync(RefundStatus.Abnormal, null, 100, CancellationToken.None)).Items, r => r.OrderId == orderId);

        // The merchant fixed the permission in WeChat's merchant platform; the operator resubmits.
        Assert.Equal(RefundStatus.Processing, (await refunds.ResubmitAsync(orderId, refundId, CancellationToken.None)).Refunds.Single().Status);
        await RunRefundWorkUntilAsync(mall, time, orderId, order => order.Status == OrderStatus.Refunded);

        Assert.Equal(refundId, Assert.Single(mall.Environment.Sandbox.Refunds).OutRefundNo);
        Assert.DoesNotContain((await refunds.ListOpenAsync(null, null, 100, CancellationToken.None)).Items, r => r.OrderId == orderId);
    }

    [Theory]
    [InlineData(AbnormalRefundDestination.MerchantBankCard, "商户银行账户")]
    [InlineData(AbnormalRefundDestination.UserBankCard, "用户银行卡")]
    public async Task An_abnormal_refund_waits_for_the_operator_and_completes_on_the_success_after_the_abnormal_refund_instruction(AbnormalRefundDestination destination, string receivedAccount)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var (orderId, customer, refundId) = await AbnormalRefundAsync(mall);
        var refunds = mall.Get<RefundService>();
        await RunRefundWorkUntilAsync(mall, time, orderId, order => order.GetRefund(refundId).Status == RefundStatus.Abnormal);
        var listed = Assert.Single((await refunds.ListOpenAsync(RefundStatus.Abnormal, null, 100, CancellationToken.None)).Items, r => r.OrderId == orderId);
        Assert.Equal(["applyAbnormalRefund"], listed.Actions);
        Assert.Equal(ErrorCode.InvalidOrderState, (await Assert.ThrowsAsync<DomainException>(() => refunds.ResubmitAsync(orderId, refundId, CancellationToken.None))).Code);

        var instruction = destination == AbnormalRefundDestination.UserBankCard
            ? new AbnormalRefundBody(destination, "ICBC_DEBIT", "6222020202020202020", "张三")
            : new AbnormalRefundBody(destination, null, null, null);
        var applied = await refunds.ApplyAbnormalRefundAsync(orderId, refundId, instruction, CancellationToken.None);
        Assert.Equal((RefundStatus.Processing, destination), (applied.Refunds.Single().Status, applied.Refunds.Single().AbnormalRefundTo));
        var repeated = (await refunds.ApplyAbnormalRefundAsync(orderId, refundId, instruction, CancellationToken.None)).Refunds.Single();
        Assert.Equal((RefundStatus.Processing, destination), (repeated.Status, repeated.AbnormalRefundTo));
        await RunRefundWorkUntilAsync(mall, time, orderId, order => order.Status == OrderStatus.Refunded);

        var refunded = await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None);
        Assert.Equal(RefundStatus.Succeeded, refunded.GetRefund(refundId).Status);
        Assert.Equal(refunded.Payment!.AmountFen, refunded.RefundedFen);
        Assert.Equal(receivedAccount, mall.Environment.Sandbox.Refunds.Single().Resource.UserReceivedAccount);
        Assert.DoesNotContain((await refunds.ListOpenAsync(null, null, 100, CancellationToken.None)).Items, r => r.OrderId == orderId);
    }

    private static async Task<(string OrderId, string CustomerId)> PendingOrderAsync(MallFixture mall)
    {
        var product = await mall.CreateProductAsync(1300, null, 5);
        var customer = await mall.NewCustomerAsync();
        var created = await mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 2), CancellationToken.None);
        return (created.Order.Id, customer);
    }

    private static async Task<(string OrderId, string CustomerId)> PaidOrderAsync(MallFixture mall)
    {
        var (orderId, customer) = await PendingOrderAsync(mall);
        await mall.PayAsync(customer, orderId);
        return (orderId, customer);
    }

    /// <summary>A paid order whose full refund WeChat will report ABNORMAL (the buyer's card was closed), asked for and approved.</summary>
    private static async Task<(string OrderId, string CustomerId, string RefundId)> AbnormalRefundAsync(MallFixture mall)
    {
        var (orderId, customer) = await PaidOrderAsync(mall);
        mall.Environment.Sandbox.MakeRefundsAbnormal(orderId);
        return (orderId, customer, (await RefundEverythingAsync(mall, orderId, customer)).RefundId);
    }

    /// <summary>The customer asks for everything back and the operator approves it (which submits it to WeChat).</summary>
    private static async Task<(string RefundId, OperatorOrderView Approved)> RefundEverythingAsync(MallFixture mall, string orderId, string customer)
    {
        var refunds = mall.Get<RefundService>();
        var requested = await refunds.RequestAsync(customer, orderId, new RefundRequestBody("不要了", null, null), CancellationToken.None);
        var refundId = Assert.Single(requested.Refunds).Id;
        return (refundId, await refunds.ApproveAsync(orderId, refundId, new ApproveRefundRequest(null, null), CancellationToken.None));
    }

    /// <summary>Runs the refund timers as the clock moves on a minute at a time, until the order gets there.</summary>
    private static Task RunRefundWorkUntilAsync(MallFixture mall, FakeTimeProvider time, string orderId, Func<Order, bool> done) =>
        MallFixture.WaitUntilAsync(async () =>
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await mall.Get<DueWorkProcessor>().RunAsync([RefundWork.Submit, RefundWork.Check, RefundWork.Restock], CancellationToken.None);
            return done(await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None));
        });
}
