using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Mall.Application.WeChat;
using Mall.WeChat;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.UnitTests.WeChat;

/// <summary>IWeChatPay (adapter + client) against the sandbox: real signatures and encryption end to end.</summary>
[Collection(SandboxCollection.Name)]
public sealed class WeChatPayAdapterTests
{
    private const string PaymentPath = "/payments/notify";
    private const string RefundPath = "/refunds/notify";

    private readonly WeChatSandbox sandbox;

    public WeChatPayAdapterTests(SandboxFixture fixture)
    {
        sandbox = fixture.Sandbox;
    }

    private static string NewOutTradeNo() => "T" + WeChatPaySignatures.CreateNonce(20);

    private static JsapiPrepayRequest Order(string outTradeNo, long amountFen = 12_900) =>
        new(outTradeNo, "Weekly drop tee", amountFen, "oOpenIdOfAlice000000000000", TimeProvider.System.GetUtcNow().AddMinutes(30), "attach-1");

    [Fact]
    public async Task Prepay_pay_and_the_payment_notification_verifies_and_decrypts()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = NewOutTradeNo();

        var prepayId = await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo), CancellationToken.None);
        var paid = await sandbox.PayAsync(outTradeNo);
        var notification = mall.Pay.ReadPaymentNotification(await mall.NextNotificationAsync(PaymentPath));

        Assert.StartsWith("wx", prepayId, StringComparison.Ordinal);
        Assert.Equal(outTradeNo, notification.OutTradeNo);
        Assert.Equal(TradeState.Success, notification.TradeState);
        Assert.Equal((12_900L, 12_900L), (notification.TotalFen, notification.PayerTotalFen));
        Assert.Equal("oOpenIdOfAlice000000000000", notification.PayerOpenId);
        Assert.Equal(paid.Resource.TransactionId, notification.TransactionId);
        Assert.NotNull(notification.SuccessTime);
        Assert.False(string.IsNullOrEmpty(notification.NotificationId));
    }

    [Fact]
    public async Task Request_payment_parameters_are_signed_with_the_merchant_key()
    {
        await using var mall = await MallSide.StartAsync(sandbox);

        var parameters = mall.Pay.SignRequestPayment("wx2024prepay");

        using var merchantKey = WeChatPem.LoadPrivateKey(sandbox.MallSettings["WeChatPay:MerchantPrivateKey"]);
        Assert.Equal((sandbox.MallSettings["WeChat:AppId"], "prepay_id=wx2024prepay", "RSA"), (parameters.AppId, parameters.Package, parameters.SignType));
        Assert.True(WeChatPaySignatures.Verify(
            merchantKey,
            WeChatPaySignatures.RequestPaymentMessage(parameters.AppId, parameters.TimeStamp, parameters.NonceStr, parameters.Package),
            parameters.PaySign));
    }

    [Fact]
    public async Task Query_follows_the_transaction_from_notpay_to_success_and_unknown_orders_are_null()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = "A|b*c-d_" + WeChatPaySignatures.CreateNonce(8);
        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo, 1), CancellationToken.None);

        var before = await mall.Pay.QueryTransactionAsync(outTradeNo, CancellationToken.None);
        await sandbox.PayAsync(outTradeNo, new SandboxPayOptions { Notify = false });
        var after = await mall.Pay.QueryTransactionAsync(outTradeNo, CancellationToken.None);

        Assert.Equal((TradeState.NotPay, 1L, null), (before!.TradeState, before.TotalFen, before.TransactionId));
        Assert.Equal(TradeState.Success, after!.TradeState);
        Assert.NotNull(after.TransactionId);
        Assert.Null(after.NotificationId);
        Assert.Null(await mall.Pay.QueryTransactionAsync(NewOutTradeNo(), CancellationToken.None));
        Assert.False(mall.HasPendingNotification);
    }

    [Fact]
    public async Task Close_closes_an_unpaid_order_and_reports_already_paid_after_payment()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var unpaid = NewOutTradeNo();
        var paid = NewOutTradeNo();
        await mall.Pay.CreateJsapiPrepayAsync(Order(unpaid), CancellationToken.None);
        await mall.Pay.CreateJsapiPrepayAsync(Order(paid), CancellationToken.None);
        await sandbox.PayAsync(paid, new SandboxPayOptions { Notify = false });

        await mall.Pay.CloseTransactionAsync(unpaid, CancellationToken.None);
        await mall.Pay.CloseTransactionAsync(unpaid, CancellationToken.None);
        await mall.Pay.CloseTransactionAsync(NewOutTradeNo(), CancellationToken.None);
        var exception = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CloseTransactionAsync(paid, CancellationToken.None));

        Assert.Equal(TradeState.Closed, (await mall.Pay.QueryTransactionAsync(unpaid, CancellationToken.None))!.TradeState);
        Assert.Equal(WeChatFailure.AlreadyPaid, exception.Failure);
        await Assert.ThrowsAsync<InvalidOperationException>(() => sandbox.PayAsync(unpaid));
    }

    [Fact]
    public async Task Prepay_is_idempotent_for_the_same_order_and_rejects_changed_parameters()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = NewOutTradeNo();
        var order = Order(outTradeNo);

        var first = await mall.Pay.CreateJsapiPrepayAsync(order, CancellationToken.None);
        var again = await mall.Pay.CreateJsapiPrepayAsync(order, CancellationToken.None);
        var changed = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateJsapiPrepayAsync(order with { AmountFen = 1 }, CancellationToken.None));
        var invalid = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateJsapiPrepayAsync(Order("short"), CancellationToken.None));
        var free = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateJsapiPrepayAsync(Order(NewOutTradeNo(), 0), CancellationToken.None));

        Assert.Equal(first, again);
        Assert.Equal(WeChatFailure.Rejected, changed.Failure);
        Assert.Contains(WeChatPayErrorCodes.InvalidRequest, changed.Message, StringComparison.Ordinal);
        Assert.Equal(WeChatFailure.Rejected, invalid.Failure);
        Assert.Equal(WeChatFailure.Rejected, free.Failure);
    }

    [Fact]
    public async Task Partial_refunds_complete_with_a_notification_and_never_exceed_the_paid_amount()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = NewOutTradeNo();
        var refundNo = "R" + WeChatPaySignatures.CreateNonce(12);
        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo, 10_000), CancellationToken.None);
        await sandbox.PayAsync(outTradeNo, new SandboxPayOptions { Notify = false });

        var created = await mall.Pay.CreateRefundAsync(new RefundSubmission(outTradeNo, refundNo, 3_000, 10_000, "size"), CancellationToken.None);
        var repeated = await mall.Pay.CreateRefundAsync(new RefundSubmission(outTradeNo, refundNo, 3_000, 10_000, "size"), CancellationToken.None);
        var notified = mall.Pay.ReadRefundNotification(await mall.NextNotificationAsync(RefundPath));
        var tooMuch = await Assert.ThrowsAsync<WeChatException>(
            () => mall.Pay.CreateRefundAsync(new RefundSubmission(outTradeNo, refundNo + "x", 7_001, 10_000, "rest"), CancellationToken.None));
        var rest = await mall.Pay.CreateRefundAsync(new RefundSubmission(outTradeNo, refundNo + "y", 7_000, 10_000, "rest"), CancellationToken.None);

        Assert.Equal((outTradeNo, refundNo, RefundState.Processing, 3_000L), (created.OutTradeNo, created.OutRefundNo, created.State, created.RefundFen));
        Assert.Equal(created.RefundId, repeated.RefundId);
        Assert.Equal((refundNo, RefundState.Success, 3_000L, created.RefundId), (notified.OutRefundNo, notified.State, notified.RefundFen, notified.RefundId));
        Assert.NotNull(notified.SuccessTime);
        Assert.Equal(WeChatFailure.Rejected, tooMuch.Failure);
        Assert.Equal(7_000L, rest.RefundFen);
        Assert.Equal(RefundState.Success, (await mall.Pay.QueryRefundAsync(refundNo, CancellationToken.None))!.State);
        Assert.Null(await mall.Pay.QueryRefundAsync("R-unknown", CancellationToken.None));
        Assert.Equal(TradeState.Refund, (await mall.Pay.QueryTransactionAsync(outTradeNo, CancellationToken.None))!.TradeState);
    }

    /// <summary>WeChat's refund error table: what it means to be retried (same out_refund_no) and what is final.</summary>
    [Theory]
    [InlineData(403, WeChatPayErrorCodes.NotEnough, WeChatFailure.Unavailable)]
    [InlineData(401, WeChatPayErrorCodes.SignError, WeChatFailure.Unavailable)]
    [InlineData(500, WeChatPayErrorCodes.SystemError, WeChatFailure.Unavailable)]
    [InlineData(429, WeChatPayErrorCodes.FrequencyLimited, WeChatFailure.Unavailable)]
    [InlineData(500, WeChatPayErrorCodes.BizErrNeedRetry, WeChatFailure.Unavailable)]
    [InlineData(403, WeChatPayErrorCodes.NoAuth, WeChatFailure.Rejected)]
    [InlineData(403, WeChatPayErrorCodes.UserAccountAbnormal, WeChatFailure.Rejected)]
    [InlineData(400, WeChatPayErrorCodes.MchNotExists, WeChatFailure.Rejected)]
    public async Task A_refused_refund_is_classified_by_wechat_error_code_and_can_be_resubmitted_as_it_was(int status, string code, WeChatFailure expected)
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = NewOutTradeNo();
        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo, 10_000), CancellationToken.None);
        await sandbox.PayAsync(outTradeNo, new SandboxPayOptions { Notify = false });
        sandbox.RefuseRefunds(outTradeNo, new SandboxRefundRefusal(status, code, "refused"));
        var submission = new RefundSubmission(outTradeNo, "R" + WeChatPaySignatures.CreateNonce(12), 3_000, 10_000, "size");

        var refused = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateRefundAsync(submission, CancellationToken.None));
        var accepted = await mall.Pay.CreateRefundAsync(submission, CancellationToken.None);

        Assert.Equal((expected, code), (refused.Failure, refused.ErrorCode));
        Assert.Equal((submission.OutRefundNo, RefundState.Processing), (accepted.OutRefundNo, accepted.State));
    }

    [Fact]
    public async Task An_abnormal_refund_goes_to_the_buyers_card_with_encrypted_details_and_then_succeeds()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = NewOutTradeNo();
        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo, 10_000), CancellationToken.None);
        await sandbox.PayAsync(outTradeNo, new SandboxPayOptions { Notify = false });
        sandbox.MakeRefundsAbnormal(outTradeNo);
        var created = await mall.Pay.CreateRefundAsync(new RefundSubmission(outTradeNo, "R" + WeChatPaySignatures.CreateNonce(12), 10_000, 10_000, "card closed"), CancellationToken.None);
        var abnormal = mall.Pay.ReadRefundNotification(await mall.NextNotificationAsync(RefundPath));
        var card = new AbnormalRefundInstruction(created.RefundId!, created.OutRefundNo, Mall.Domain.Orders.AbnormalRefundDestination.UserBankCard, "ICBC_DEBIT", "6222020202020202020", "张三");

        var wrongRefund = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.ApplyAbnormalRefundAsync(card with { OutRefundNo = "R-other" }, CancellationToken.None));
        var applied = await mall.Pay.ApplyAbnormalRefundAsync(card, CancellationToken.None);
        var again = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.ApplyAbnormalRefundAsync(card, CancellationToken.None));
        var succeeded = mall.Pay.ReadRefundNotification(await mall.NextNotificationAsync(RefundPath));

        Assert.Equal(RefundState.Abnormal, abnormal.State);
        Assert.Equal(WeChatFailure.Rejected, wrongRefund.Failure);
        Assert.Equal(RefundState.Processing, applied.State);
        Assert.Equal((WeChatFailure.Rejected, WeChatPayErrorCodes.InvalidRequest), (again.Failure, again.ErrorCode));
        Assert.Equal((created.OutRefundNo, RefundState.Success, 10_000L), (succeeded.OutRefundNo, succeeded.State, succeeded.RefundFen));
        Assert.DoesNotContain("6222020202020202020", card.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refund_of_an_unknown_or_unpaid_order_is_rejected()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var unpaid = NewOutTradeNo();
        await mall.Pay.CreateJsapiPrepayAsync(Order(unpaid, 100), CancellationToken.None);

        var unknown = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateRefundAsync(new RefundSubmission(NewOutTradeNo(), "R1", 1, 100, "x"), CancellationToken.None));
        var notPaid = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateRefundAsync(new RefundSubmission(unpaid, "R2", 1, 100, "x"), CancellationToken.None));

        Assert.Equal(WeChatFailure.Rejected, unknown.Failure);
        Assert.Equal(WeChatFailure.Rejected, notPaid.Failure);
    }

    [Fact]
    public async Task Tampered_stale_foreign_and_misdirected_notifications_are_rejected_for_the_right_reason()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = NewOutTradeNo();
        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo), CancellationToken.None);
        var resource = (await sandbox.PayAsync(outTradeNo, new SandboxPayOptions { Notify = false })).Resource;
        using var foreignKey = RSA.Create(2048);
        var now = TimeProvider.System.GetUtcNow();

        var genuine = sandbox.BuildPaymentNotification(resource);
        Assert.Equal(outTradeNo, mall.Pay.ReadPaymentNotification(Webhook(genuine)).OutTradeNo);

        // The amount is the caller's to check: a genuine notification with another amount reads fine.
        Assert.Equal(1, mall.Pay.ReadPaymentNotification(Webhook(sandbox.BuildPaymentNotification(resource with { Amount = resource.Amount! with { Total = 1 } }))).TotalFen);

        AssertRejected(WebhookRejection.InvalidSignature, mall.Pay.ReadPaymentNotification, genuine with { Body = genuine.Body.Replace("\"id\":\"", "\"id\":\"x", StringComparison.Ordinal) });
        AssertRejected(WebhookRejection.InvalidSignature, mall.Pay.ReadPaymentNotification, sandbox.BuildPaymentNotification(resource, new SandboxNotificationSigning { SigningKey = foreignKey }));
        AssertRejected(WebhookRejection.UnknownSerial, mall.Pay.ReadPaymentNotification, sandbox.BuildPaymentNotification(resource, new SandboxNotificationSigning { SigningKey = foreignKey, Serial = "PUB_KEY_ID_0000000000000000000000000000" }));
        AssertRejected(WebhookRejection.StaleTimestamp, mall.Pay.ReadPaymentNotification, sandbox.BuildPaymentNotification(resource, new SandboxNotificationSigning { Timestamp = now.AddMinutes(-6) }));
        AssertRejected(WebhookRejection.StaleTimestamp, mall.Pay.ReadPaymentNotification, sandbox.BuildPaymentNotification(resource, new SandboxNotificationSigning { Timestamp = now.AddMinutes(6) }));
        AssertRejected(WebhookRejection.DecryptionFailed, mall.Pay.ReadPaymentNotification, sandbox.BuildPaymentNotification(resource, new SandboxNotificationSigning { ApiV3Key = "ThisIsNotTheMerchantsApiV3Key!!!" }));
        AssertRejected(WebhookRejection.MerchantMismatch, mall.Pay.ReadPaymentNotification, sandbox.BuildPaymentNotification(resource with { MchId = "1900000002" }));
        AssertRejected(WebhookRejection.MerchantMismatch, mall.Pay.ReadPaymentNotification, sandbox.BuildPaymentNotification(resource with { AppId = "wxsomeoneelse" }));
        AssertRejected(WebhookRejection.UnexpectedEventType, mall.Pay.ReadPaymentNotification, sandbox.BuildPaymentNotification(resource, new SandboxNotificationSigning { EventType = "REFUND.SUCCESS" }));
        AssertRejected(WebhookRejection.MissingHeaders, mall.Pay.ReadPaymentNotification, genuine with { Headers = new Dictionary<string, string>() });
        AssertRejected(WebhookRejection.UnexpectedEventType, mall.Pay.ReadRefundNotification, genuine);
    }

    [Fact]
    public async Task A_notification_whose_signature_is_the_signtest_probe_is_rejected()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var genuine = sandbox.BuildPaymentNotification(new Transaction { MchId = sandbox.MallSettings["WeChatPay:MchId"] });
        var headers = genuine.Headers.ToDictionary();
        headers[WeChatPayHeaders.Signature] = "WECHATPAY/SIGNTEST/" + headers[WeChatPayHeaders.Signature];

        AssertRejected(WebhookRejection.InvalidSignature, mall.Pay.ReadPaymentNotification, genuine with { Headers = headers });
    }

    [Fact]
    public async Task Refund_notifications_for_another_merchant_are_rejected()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var resource = new RefundNotificationResource { MchId = "1900000002", OutTradeNo = "T1", OutRefundNo = "R1", RefundStatus = RefundStatuses.Success, Amount = new RefundAmount { Refund = 1, Total = 1 } };

        AssertRejected(WebhookRejection.MerchantMismatch, mall.Pay.ReadRefundNotification, sandbox.BuildRefundNotification(resource));
        Assert.Equal(RefundState.Success, mall.Pay.ReadRefundNotification(Webhook(sandbox.BuildRefundNotification(resource with { MchId = sandbox.MallSettings["WeChatPay:MchId"] }))).State);
    }

    [Fact]
    public async Task A_response_with_a_broken_signature_makes_the_client_report_unavailable()
    {
        await using var mall = await MallSide.StartAsync(sandbox, services: services =>
            services.AddHttpClient<WeChatPayClient>().AddHttpMessageHandler(() => new TamperingHandler()));

        var exception = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.QueryTransactionAsync(NewOutTradeNo(), CancellationToken.None));
        var prepay = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateJsapiPrepayAsync(Order(NewOutTradeNo()), CancellationToken.None));

        Assert.Equal(WeChatFailure.Unavailable, exception.Failure);
        Assert.Equal(WeChatFailure.Unavailable, prepay.Failure);
    }

    [Fact]
    public async Task Answers_signed_by_a_key_the_mall_does_not_know_are_unavailable()
    {
        await using var mall = await MallSide.StartAsync(sandbox, settings =>
        {
            settings["WeChatPay:PublicKeys:0:Id"] = "PUB_KEY_ID_0000000000000000000000000000";
        });

        var exception = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateJsapiPrepayAsync(Order(NewOutTradeNo()), CancellationToken.None));

        Assert.Equal(WeChatFailure.Unavailable, exception.Failure);
    }

    [Fact]
    public async Task A_request_signed_with_the_wrong_merchant_key_is_rejected_by_the_sandbox()
    {
        using var otherKey = RSA.Create(2048);
        await using var mall = await MallSide.StartAsync(sandbox, settings => settings["WeChatPay:MerchantPrivateKey"] = otherKey.ExportPkcs8PrivateKeyPem());

        var exception = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.CreateJsapiPrepayAsync(Order(NewOutTradeNo()), CancellationToken.None));

        // Refused, and retried later: a wrong signature is what a merchant key rotation looks like from outside.
        Assert.Equal((WeChatFailure.Unavailable, WeChatPayErrorCodes.SignError), (exception.Failure, exception.ErrorCode));
    }

    [Fact]
    public async Task An_unreachable_wechat_pay_is_unavailable()
    {
        await using var mall = await MallSide.StartAsync(sandbox, settings => settings["WeChatPay:BaseUrl"] = "http://127.0.0.1:1");

        var exception = await Assert.ThrowsAsync<WeChatException>(() => mall.Pay.QueryTransactionAsync(NewOutTradeNo(), CancellationToken.None));

        Assert.Equal(WeChatFailure.Unavailable, exception.Failure);
    }

    [Fact]
    public async Task Failed_deliveries_are_retried_on_schedule_duplicates_arrive_twice_and_all_is_logged()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = NewOutTradeNo();
        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo), CancellationToken.None);
        mall.FailNext(2);

        await sandbox.PayAsync(outTradeNo, new SandboxPayOptions { Duplicate = true });
        var attempts = new List<PaymentTransaction>();
        for (var i = 0; i < 4; i++)
        {
            attempts.Add(mall.Pay.ReadPaymentNotification(await mall.NextNotificationAsync(PaymentPath)));
        }

        Assert.All(attempts, attempt => Assert.Equal(outTradeNo, attempt.OutTradeNo));
        Assert.Single(attempts.Select(attempt => attempt.NotificationId).Distinct());
        var log = await WaitForDeliveriesAsync(outTradeNo, 4);
        Assert.Equal([(1, 1, 500), (1, 2, 500), (1, 3, 204), (2, 1, 204)], log.Select(delivery => (delivery.Copy, delivery.Attempt, delivery.StatusCode ?? 0)));
    }

    [Fact]
    public async Task Deliveries_give_up_after_the_schedule_and_a_lost_notification_is_not_sent()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = NewOutTradeNo();
        var silent = NewOutTradeNo();
        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo), CancellationToken.None);
        await mall.Pay.CreateJsapiPrepayAsync(Order(silent), CancellationToken.None);
        mall.FailNext(int.MaxValue);

        await sandbox.PayAsync(silent, new SandboxPayOptions { Notify = false });
        await sandbox.PayAsync(outTradeNo);

        var log = await WaitForDeliveriesAsync(outTradeNo, SandboxFixture.Options.NotificationRetrySchedule.Count + 1);
        Assert.All(log, delivery => Assert.False(delivery.Delivered));
        Assert.DoesNotContain(sandbox.NotificationDeliveries, delivery => delivery.Subject == silent);
    }

    [Fact]
    public async Task The_sandbox_in_platform_certificate_mode_is_verified_through_the_certificate()
    {
        await using var certificateSandbox = await WeChatSandbox.StartAsync(SandboxFixture.Options with { SigningMode = SandboxSigningMode.PlatformCertificate }, CancellationToken.None);
        await using var mall = await MallSide.StartAsync(certificateSandbox, settings =>
        {
            settings.Remove("WeChatPay:PublicKeys:0:Id");
            settings.Remove("WeChatPay:PublicKeys:0:Pem");
        });
        var outTradeNo = NewOutTradeNo();

        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo), CancellationToken.None);
        await certificateSandbox.PayAsync(outTradeNo);
        var notification = await mall.NextNotificationAsync(PaymentPath);

        Assert.DoesNotContain("PUB_KEY_ID", notification.Headers[WeChatPayHeaders.Serial], StringComparison.Ordinal);
        Assert.Equal(TradeState.Success, mall.Pay.ReadPaymentNotification(notification).TradeState);
    }

    [Fact]
    public async Task The_developer_pay_endpoint_pays_and_lists_transactions()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };
        var outTradeNo = NewOutTradeNo();
        await mall.Pay.CreateJsapiPrepayAsync(Order(outTradeNo), CancellationToken.None);

        using var unknown = await http.PostAsync(new Uri($"/sandbox/transactions/{NewOutTradeNo()}/pay", UriKind.Relative), null);
        using var pay = await http.PostAsJsonAsync(new Uri($"/sandbox/transactions/{outTradeNo}/pay", UriKind.Relative), new { notify = false });
        using var again = await http.PostAsync(new Uri($"/sandbox/transactions/{outTradeNo}/pay", UriKind.Relative), null);
        var listed = await http.GetStringAsync(new Uri("/sandbox/transactions", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, pay.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains(outTradeNo, listed, StringComparison.Ordinal);
        Assert.Equal(TradeStates.Success, sandbox.FindTransaction(outTradeNo)!.Resource.TradeState);
        Assert.False(mall.HasPendingNotification);
    }

    private static WebhookRequest Webhook(SandboxWebhook webhook) => new(webhook.Body, webhook.Headers);

    private static void AssertRejected<T>(WebhookRejection reason, Func<WebhookRequest, T> read, SandboxWebhook webhook)
    {
        var exception = Assert.Throws<WebhookRejectedException>(() => read(Webhook(webhook)));
        Assert.Equal(reason, exception.Reason);
    }

    private async Task<IReadOnlyList<SandboxNotificationDelivery>> WaitForDeliveriesAsync(string subject, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var log = sandbox.NotificationDeliveries.Where(delivery => delivery.Subject == subject).ToList();
            if (log.Count >= count)
            {
                return log;
            }

            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>Flips one character of every WeChat Pay answer body, after it was signed.</summary>
    private sealed class TamperingHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var tampered = new StringContent(body.Length == 0 ? " " : body[..^1] + (body[^1] == '}' ? ']' : '}'));
            response.Content = tampered;
            return response;
        }
    }
}
