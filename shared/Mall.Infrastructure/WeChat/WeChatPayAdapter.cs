using System.Security.Cryptography;
using System.Text.Json;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.WeChat;
using Mall.WeChat.Pay;
using Microsoft.Extensions.Options;
using AbnormalRefundDestination = Mall.Domain.Orders.AbnormalRefundDestination;

namespace Mall.Infrastructure.WeChat;

public sealed class WeChatPayAdapter : IWeChatPay
{
    private const string Currency = "CNY";

    private readonly WeChatPayClient client;
    private readonly WeChatPayMerchant merchant;
    private readonly WeChatPaySignatureVerifier verifier;
    private readonly WeChatPayKeySet weChatPayKeys;
    private readonly TimeProvider timeProvider;
    private readonly WeChatOptions weChat;
    private readonly WeChatPayOptions pay;

    public WeChatPayAdapter(
        WeChatPayClient client,
        WeChatPayMerchant merchant,
        WeChatPaySignatureVerifier verifier,
        WeChatPayKeySet weChatPayKeys,
        TimeProvider timeProvider,
        IOptions<WeChatOptions> weChat,
        IOptions<WeChatPayOptions> pay)
    {
        this.client = client;
        this.merchant = merchant;
        this.verifier = verifier;
        this.weChatPayKeys = weChatPayKeys;
        this.timeProvider = timeProvider;
        this.weChat = weChat.Value;
        this.pay = pay.Value;
    }

    public async Task<string> CreateJsapiPrepayAsync(JsapiPrepayRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var order = new JsapiPrepayOrder
        {
            AppId = weChat.AppId,
            MchId = merchant.MchId,
            Description = request.Description,
            OutTradeNo = request.OutTradeNo,
            TimeExpire = request.ExpiresAt,
            Attach = request.Attach,
            NotifyUrl = pay.PaymentNotifyUrl,
            Amount = new TransactionAmount { Total = request.AmountFen, Currency = Currency },
            Payer = new Payer { OpenId = request.PayerOpenId },
        };
        var prepay = await Call(client.CreateJsapiPrepayAsync(order, cancellationToken));
        return string.IsNullOrEmpty(prepay.PrepayId)
            ? throw new WeChatException(WeChatFailure.Unavailable, "JSAPI prepay answered without prepay_id.")
            : prepay.PrepayId;
    }

    public RequestPaymentParameters SignRequestPayment(string prepayId)
    {
        var timeStamp = WeChatPaySignatures.Timestamp(timeProvider.GetUtcNow());
        var nonce = WeChatPaySignatures.CreateNonce();
        var package = "prepay_id=" + prepayId;
        return new RequestPaymentParameters(weChat.AppId, timeStamp, nonce, package, "RSA", merchant.SignRequestPayment(weChat.AppId, timeStamp, nonce, package));
    }

    public async Task<PaymentTransaction?> QueryTransactionAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var transaction = await Call(client.QueryTransactionAsync(outTradeNo, cancellationToken));
        return transaction is null
            ? null
            : ToPaymentTransaction(transaction, null)
                ?? throw new WeChatException(WeChatFailure.Unavailable, $"查单 {outTradeNo} answered with an unknown trade state '{transaction.TradeState}'.");
    }

    public async Task CloseTransactionAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        try
        {
            await client.CloseTransactionAsync(outTradeNo, cancellationToken);
        }
        catch (WeChatPayException exception) when (exception.Failure == WeChatPayFailure.NotFound)
        {
            // WeChat never saw the order (no prepay was made), so it can never be paid: already closed.
        }
        catch (WeChatPayException exception)
        {
            throw WeChatFailures.From(exception);
        }
    }

    public async Task<RefundStatusReport> CreateRefundAsync(RefundSubmission request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var refund = await Call(client.CreateRefundAsync(
            new CreateRefundRequest
            {
                OutTradeNo = request.OutTradeNo,
                OutRefundNo = request.OutRefundNo,
                Reason = request.Reason,
                NotifyUrl = pay.RefundNotifyUrl,
                Amount = new RefundAmount { Refund = request.RefundFen, Total = request.TotalFen, Currency = Currency },
            },
            cancellationToken));
        return ToRefundStatusReport(refund) ?? throw UnknownRefund(request.OutRefundNo, refund.Status);
    }

    public async Task<RefundStatusReport?> QueryRefundAsync(string outRefundNo, CancellationToken cancellationToken)
    {
        var refund = await Call(client.QueryRefundAsync(outRefundNo, cancellationToken));
        return refund is null ? null : ToRefundStatusReport(refund) ?? throw UnknownRefund(outRefundNo, refund.Status);
    }

    public async Task<RefundStatusReport> ApplyAbnormalRefundAsync(AbnormalRefundInstruction instruction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        var request = new AbnormalRefundRequest { OutRefundNo = instruction.OutRefundNo, Type = AbnormalRefundTypes.MerchantBankCard };
        string? serial = null;
        if (instruction.Destination == AbnormalRefundDestination.UserBankCard)
        {
            var (keySerial, key) = weChatPayKeys.EncryptionKey;
            serial = keySerial;
            request = request with
            {
                Type = AbnormalRefundTypes.UserBankCard,
                BankType = instruction.BankType,
                BankAccount = WeChatPaySensitiveData.Encrypt(key, instruction.BankAccount ?? string.Empty),
                RealName = WeChatPaySensitiveData.Encrypt(key, instruction.RealName ?? string.Empty),
            };
        }

        var refund = await Call(client.ApplyAbnormalRefundAsync(instruction.RefundId, request, serial, cancellationToken));
        return ToRefundStatusReport(refund) ?? throw UnknownRefund(instruction.OutRefundNo, refund.Status);
    }

    public PaymentTransaction ReadPaymentNotification(WebhookRequest request)
    {
        var (envelope, plaintext) = Open(request, eventType => eventType == NotificationEventTypes.TransactionSuccess);
        var transaction = ParseResource<Transaction>(plaintext);
        if (transaction.MchId != merchant.MchId || transaction.AppId != weChat.AppId)
        {
            throw new WebhookRejectedException(
                WebhookRejection.MerchantMismatch,
                $"Payment notification for mchid {transaction.MchId} / appid {transaction.AppId}, not this merchant.");
        }

        EnsureMallIds(("out_trade_no", transaction.OutTradeNo));
        return ToPaymentTransaction(transaction, envelope.Id)
            ?? throw new WebhookRejectedException(WebhookRejection.MalformedBody, $"Payment notification with unknown trade state '{transaction.TradeState}'.");
    }

    public RefundStatusReport ReadRefundNotification(WebhookRequest request)
    {
        var (_, plaintext) = Open(
            request,
            eventType => eventType is NotificationEventTypes.RefundSuccess or NotificationEventTypes.RefundAbnormal or NotificationEventTypes.RefundClosed);
        var resource = ParseResource<RefundNotificationResource>(plaintext);
        if (resource.MchId != merchant.MchId)
        {
            throw new WebhookRejectedException(WebhookRejection.MerchantMismatch, $"Refund notification for mchid {resource.MchId}, not this merchant.");
        }

        EnsureMallIds(("out_trade_no", resource.OutTradeNo), ("out_refund_no", resource.OutRefundNo));
        return resource.OutTradeNo is null || resource.OutRefundNo is null || resource.Amount is null || ParseRefundState(resource.RefundStatus) is not { } state
            ? throw new WebhookRejectedException(WebhookRejection.MalformedBody, "Refund notification without out_trade_no, out_refund_no, amount or a known refund_status.")
            : new RefundStatusReport(resource.OutTradeNo, resource.OutRefundNo, resource.RefundId, state, resource.Amount.Refund, resource.SuccessTime?.ToUniversalTime());
    }

    /// <summary>
    /// A signed notification can still name an order no id of this mall can be (WeChat allows | and * in
    /// out_trade_no): it is refused as malformed, like an id at the API's edge, before anything looks it up.
    /// </summary>
    private static void EnsureMallIds(params (string Field, string? Value)[] ids)
    {
        foreach (var (field, value) in ids)
        {
            if (value is not null && !Ids.IsWellFormed(value))
            {
                throw new WebhookRejectedException(WebhookRejection.MalformedBody, $"The notification's {field} is not an id of this mall ({Ids.Rule}).");
            }
        }
    }

    private static async Task<T> Call<T>(Task<T> call)
    {
        try
        {
            return await call;
        }
        catch (WeChatPayException exception)
        {
            throw WeChatFailures.From(exception);
        }
    }

    private static T ParseResource<T>(string json)
        where T : class
    {
        try
        {
            return WeChatJson.Deserialize<T>(json);
        }
        catch (JsonException exception)
        {
            throw new WebhookRejectedException(WebhookRejection.MalformedBody, $"The decrypted resource is not a {typeof(T).Name}: {exception.Message}");
        }
    }

    private static PaymentTransaction? ToPaymentTransaction(Transaction transaction, string? notificationId)
    {
        TradeState? state = transaction.TradeState switch
        {
            TradeStates.Success => TradeState.Success,
            TradeStates.Refund => TradeState.Refund,
            TradeStates.NotPay => TradeState.NotPay,
            TradeStates.Closed => TradeState.Closed,
            TradeStates.Revoked => TradeState.Revoked,
            TradeStates.UserPaying => TradeState.UserPaying,
            TradeStates.PayError => TradeState.PayError,
            _ => null,
        };
        return state is null || transaction.OutTradeNo is null || transaction.Amount is null
            ? null
            : new PaymentTransaction(
                transaction.OutTradeNo,
                transaction.TransactionId,
                state.Value,
                transaction.Amount.Total,
                transaction.Amount.Currency,
                transaction.Amount.PayerTotal,
                transaction.Payer?.OpenId,
                transaction.SuccessTime?.ToUniversalTime(),
                notificationId);
    }

    private static RefundStatusReport? ToRefundStatusReport(Refund refund) =>
        refund.OutTradeNo is null || refund.OutRefundNo is null || refund.Amount is null || ParseRefundState(refund.Status) is not { } state
            ? null
            : new RefundStatusReport(refund.OutTradeNo, refund.OutRefundNo, refund.RefundId, state, refund.Amount.Refund, refund.SuccessTime?.ToUniversalTime());

    private static RefundState? ParseRefundState(string? status) => status switch
    {
        RefundStatuses.Success => RefundState.Success,
        RefundStatuses.Processing => RefundState.Processing,
        RefundStatuses.Closed => RefundState.Closed,
        RefundStatuses.Abnormal => RefundState.Abnormal,
        _ => null,
    };

    private static WeChatException UnknownRefund(string outRefundNo, string? status) =>
        new(WeChatFailure.Unavailable, $"Refund {outRefundNo} answered without the expected fields (status '{status}').");

    /// <summary>Verifies the signature, then decrypts the resource of an accepted event type.</summary>
    private (NotificationEnvelope Envelope, string Plaintext) Open(WebhookRequest request, Func<string?, bool> acceptsEventType)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            verifier.Verify(WeChatPaySignedMessage.FromHeaders(request.Headers, request.Body));
        }
        catch (WeChatPaySignatureException exception)
        {
            var reason = exception.Failure switch
            {
                WeChatPaySignatureFailure.MissingHeaders => WebhookRejection.MissingHeaders,
                WeChatPaySignatureFailure.UnknownSerial => WebhookRejection.UnknownSerial,
                WeChatPaySignatureFailure.StaleTimestamp => WebhookRejection.StaleTimestamp,
                _ => WebhookRejection.InvalidSignature,
            };
            throw new WebhookRejectedException(reason, exception.Message);
        }

        NotificationEnvelope envelope;
        try
        {
            envelope = WeChatJson.Deserialize<NotificationEnvelope>(request.Body);
        }
        catch (JsonException exception)
        {
            throw new WebhookRejectedException(WebhookRejection.MalformedBody, $"The notification is not JSON: {exception.Message}");
        }

        if (!acceptsEventType(envelope.EventType))
        {
            throw new WebhookRejectedException(WebhookRejection.UnexpectedEventType, $"Unexpected event_type '{envelope.EventType}'.");
        }

        try
        {
            return (envelope, WeChatPayNotifications.Open(envelope, pay.ApiV3Key));
        }
        catch (CryptographicException exception)
        {
            throw new WebhookRejectedException(WebhookRejection.DecryptionFailed, $"The notification resource does not decrypt: {exception.Message}");
        }
    }
}
