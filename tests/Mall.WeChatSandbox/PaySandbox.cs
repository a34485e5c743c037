using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;

namespace Mall.WeChat.Sandbox;

/// <summary>A v3 answer before it is signed: status and JSON body (a <see cref="WeChatPayError"/> for errors).</summary>
internal readonly record struct V3Answer(int Status, object? Body)
{
    public static V3Answer NoContent { get; } = new(StatusCodes.Status204NoContent, null);

    public static V3Answer Ok(object body) => new(StatusCodes.Status200OK, body);

    public static V3Answer Error(int status, string code, string message) => new(status, new WeChatPayError { Code = code, Message = message });

    public static V3Answer ParamError(string message) => Error(StatusCodes.Status400BadRequest, WeChatPayErrorCodes.ParamError, message);

    public static V3Answer InvalidRequest(string message) => Error(StatusCodes.Status400BadRequest, WeChatPayErrorCodes.InvalidRequest, message);
}

/// <summary>The outcome of a simulated payment: the paid transaction, or why it could not be paid.</summary>
internal sealed record PayOutcome(SandboxTransaction? Transaction, int Status, string? Error);

/// <summary>WeChat Pay's merchant-facing behaviour: JSAPI orders, payment, close, refunds, validated as WeChat does.</summary>
internal sealed partial class PaySandbox
{
    private const string Currency = "CNY";
    private const string Digits = "0123456789";

    private readonly WeChatSandboxOptions options;
    private readonly NotificationCenter notifications;
    private readonly BackgroundWork background;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly Dictionary<string, TransactionRecord> transactions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefundRecord> refunds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<SandboxRefundRefusal>> refundRefusals = new(StringComparer.Ordinal);
    private readonly HashSet<string> abnormalRefunds = new(StringComparer.Ordinal);
    private readonly Func<string?, RSA?> decryptionKey;

    /// <param name="decryptionKey">The private half of the key a Wechatpay-Serial names (sensitive fields), or null.</param>
    public PaySandbox(WeChatSandboxOptions options, NotificationCenter notifications, BackgroundWork background, Func<string?, RSA?> decryptionKey, ILogger logger)
    {
        this.options = options;
        this.notifications = notifications;
        this.background = background;
        this.decryptionKey = decryptionKey;
        this.logger = logger;
    }

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    public IReadOnlyList<SandboxTransaction> Transactions
    {
        get
        {
            lock (gate)
            {
                return [.. transactions.Values.OrderBy(record => record.CreatedAt).Select(Snapshot)];
            }
        }
    }

    public IReadOnlyList<SandboxRefund> Refunds
    {
        get
        {
            lock (gate)
            {
                return [.. refunds.Values.OrderBy(record => record.CreatedAt).Select(Snapshot)];
            }
        }
    }

    public SandboxTransaction? FindTransaction(string outTradeNo)
    {
        lock (gate)
        {
            return transactions.TryGetValue(outTradeNo, out var record) ? Snapshot(record) : null;
        }
    }

    /// <summary>The transaction a shipping upload refers to (by transaction_id, or by mchid + out_trade_no).</summary>
    public Transaction? FindTransaction(ShippingOrderKey key)
    {
        lock (gate)
        {
            var record = key.OrderNumberType switch
            {
                ShippingOrderNumberTypes.ByTransactionId => transactions.Values.FirstOrDefault(candidate => candidate.TransactionId is not null && candidate.TransactionId == key.TransactionId),
                ShippingOrderNumberTypes.ByOutTradeNo when key.MchId == options.MchId && key.OutTradeNo is not null => transactions.GetValueOrDefault(key.OutTradeNo),
                _ => null,
            };
            return record is null ? null : ToResource(record);
        }
    }

    public V3Answer Prepay(string body)
    {
        if (!TryParse<JsapiPrepayOrder>(body, out var order, out var parseError))
        {
            return parseError;
        }

        var missing = FirstMissing(
            ("appid", order.AppId),
            ("mchid", order.MchId),
            ("description", order.Description),
            ("out_trade_no", order.OutTradeNo),
            ("notify_url", order.NotifyUrl),
            ("amount", order.Amount),
            ("payer.openid", order.Payer?.OpenId));
        if (missing is not null)
        {
            return V3Answer.ParamError($"缺少参数 {missing}");
        }

        if (order.MchId != options.MchId || order.AppId != options.AppId)
        {
            return V3Answer.Error(StatusCodes.Status400BadRequest, WeChatPayErrorCodes.AppIdMchIdNotMatch, "appid和mch_id不匹配");
        }

        if (Invalid(order) is { } invalid)
        {
            return V3Answer.ParamError(invalid);
        }

        lock (gate)
        {
            if (transactions.TryGetValue(order.OutTradeNo!, out var existing))
            {
                return existing.State switch
                {
                    TradeStates.Success or TradeStates.Refund => V3Answer.Error(StatusCodes.Status400BadRequest, WeChatPayErrorCodes.OrderPaid, "该订单已支付"),
                    TradeStates.Closed => V3Answer.Error(StatusCodes.Status400BadRequest, WeChatPayErrorCodes.OrderClosed, "订单已关闭"),
                    _ when existing.Order != order => V3Answer.InvalidRequest("201 商户订单号重复: same out_trade_no with different parameters"),
                    _ => V3Answer.Ok(new PrepayResponse { PrepayId = existing.PrepayId }),
                };
            }

            var record = new TransactionRecord(order, $"wx{Now:yyyyMMddHHmmss}{WeChatPaySignatures.CreateNonce(20).ToLowerInvariant()}", Now);
            transactions.Add(order.OutTradeNo!, record);
            logger.LogInformation("Prepay {OutTradeNo}: {Total} fen for {OpenId}", order.OutTradeNo, order.Amount!.Total, order.Payer!.OpenId);
            return V3Answer.Ok(new PrepayResponse { PrepayId = record.PrepayId });
        }
    }

    public V3Answer Query(string outTradeNo, string? mchId)
    {
        if (mchId != options.MchId)
        {
            return V3Answer.ParamError("mchid 缺失或与商户号不一致");
        }

        lock (gate)
        {
            return transactions.TryGetValue(outTradeNo, out var record)
                ? V3Answer.Ok(ToResource(record))
                : V3Answer.Error(StatusCodes.Status404NotFound, WeChatPayErrorCodes.OrderNotExist, "订单不存在");
        }
    }

    public V3Answer Close(string outTradeNo, string body)
    {
        if (!TryParse<CloseTransactionRequest>(body, out var request, out var parseError))
        {
            return parseError;
        }

        if (request.MchId != options.MchId)
        {
            return V3Answer.ParamError("mchid 缺失或与商户号不一致");
        }

        lock (gate)
        {
            if (!transactions.TryGetValue(outTradeNo, out var record))
            {
                return V3Answer.Error(StatusCodes.Status404NotFound, WeChatPayErrorCodes.OrderNotExist, "订单不存在");
            }

            if (record.State is TradeStates.Success or TradeStates.Refund)
            {
                return V3Answer.Error(StatusCodes.Status400BadRequest, WeChatPayErrorCodes.OrderPaid, "订单已支付");
            }

            record.State = TradeStates.Closed;
            return V3Answer.NoContent;
        }
    }

    public PayOutcome Pay(string outTradeNo, SandboxPayOptions payOptions)
    {
        string resourceJson;
        SandboxTransaction paid;
        lock (gate)
        {
            if (!transactions.TryGetValue(outTradeNo, out var record))
            {
                return new PayOutcome(null, StatusCodes.Status404NotFound, $"No transaction {outTradeNo}: call JSAPI prepay first.");
            }

            if (record.State != TradeStates.NotPay)
            {
                return new PayOutcome(null, StatusCodes.Status409Conflict, $"Transaction {outTradeNo} is {record.State}, not NOTPAY.");
            }

            // time_expire is recorded but not enforced, so tests can simulate a payment after the mall gave up.
            record.State = TradeStates.Success;
            record.TransactionId = "4200000" + RandomDigits(21);
            record.SuccessTime = Now;
            resourceJson = WeChatJson.Serialize(ToResource(record));
            paid = Snapshot(record);
        }

        logger.LogInformation("Paid {OutTradeNo} ({TransactionId})", outTradeNo, paid.Resource.TransactionId);
        if (payOptions.Notify)
        {
            notifications.Send(NotificationKind.Payment, outTradeNo, resourceJson, paid.NotifyUrl, payOptions.Duplicate ? 2 : 1);
        }

        return new PayOutcome(paid, StatusCodes.Status200OK, null);
    }

    /// <summary>The next <paramref name="times"/> new refund requests for the order are refused this way.</summary>
    public void RefuseRefunds(string outTradeNo, SandboxRefundRefusal refusal, int times)
    {
        lock (gate)
        {
            if (!refundRefusals.TryGetValue(outTradeNo, out var queue))
            {
                refundRefusals[outTradeNo] = queue = new Queue<SandboxRefundRefusal>();
            }

            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(refusal);
            }
        }
    }

    /// <summary>
    /// The order's refunds end ABNORMAL (退款异常: e.g. the buyer's card was closed) instead of SUCCESS,
    /// until the merchant applies an abnormal refund, as WeChat does.
    /// </summary>
    public void MakeRefundsAbnormal(string outTradeNo)
    {
        lock (gate)
        {
            abnormalRefunds.Add(outTradeNo);
        }
    }

    public V3Answer CreateRefund(string body)
    {
        if (!TryParse<CreateRefundRequest>(body, out var request, out var parseError))
        {
            return parseError;
        }

        var missing = FirstMissing(("out_refund_no", request.OutRefundNo), ("transaction_id|out_trade_no", request.OutTradeNo ?? request.TransactionId), ("amount", request.Amount));
        if (missing is not null)
        {
            return V3Answer.ParamError($"缺少参数 {missing}");
        }

        if (!OutRefundNoPattern().IsMatch(request.OutRefundNo!))
        {
            return V3Answer.ParamError("out_refund_no 格式错误");
        }

        if (request.Amount!.Refund <= 0 || request.Amount.Total <= 0 || (request.Amount.Currency ?? Currency) != Currency)
        {
            return V3Answer.ParamError("amount.refund 与 amount.total 必须大于0, currency 为 CNY");
        }

        if (request.NotifyUrl is not null && !IsHttpUrl(request.NotifyUrl))
        {
            return V3Answer.ParamError("notify_url 格式错误");
        }

        lock (gate)
        {
            var transaction = request.TransactionId is not null
                ? transactions.Values.FirstOrDefault(candidate => candidate.TransactionId == request.TransactionId)
                : transactions.GetValueOrDefault(request.OutTradeNo!);
            if (transaction is null || (request.OutTradeNo is not null && transaction.Order.OutTradeNo != request.OutTradeNo))
            {
                return V3Answer.Error(StatusCodes.Status404NotFound, WeChatPayErrorCodes.ResourceNotExists, "订单不存在");
            }

            if (refunds.TryGetValue(request.OutRefundNo!, out var existing))
            {
                return existing.Transaction == transaction && existing.Request.Amount == request.Amount
                    ? V3Answer.Ok(ToResource(existing))
                    : V3Answer.InvalidRequest("同一 out_refund_no 的退款参数与之前不一致");
            }

            if (transaction.State is not (TradeStates.Success or TradeStates.Refund))
            {
                return V3Answer.InvalidRequest($"订单状态 {transaction.State}, 不可退款");
            }

            if (request.Amount.Total != transaction.Order.Amount!.Total)
            {
                return V3Answer.InvalidRequest("amount.total 与订单金额不一致");
            }

            // An ABNORMAL refund still holds its money: WeChat pays it out once the merchant says where to.
            var refunded = refunds.Values
                .Where(refund => refund.Transaction == transaction && refund.Status != RefundStatuses.Closed)
                .Sum(refund => refund.Request.Amount!.Refund);
            if (refunded + request.Amount.Refund > request.Amount.Total)
            {
                return V3Answer.InvalidRequest($"退款金额超过订单可退金额 (已退 {refunded} 分)");
            }

            if (refundRefusals.TryGetValue(transaction.Order.OutTradeNo!, out var refusals) && refusals.TryDequeue(out var refusal))
            {
                logger.LogInformation("Refund {OutRefundNo} refused: {Code}", request.OutRefundNo, refusal.Code);
                return V3Answer.Error(refusal.Status, refusal.Code, refusal.Message);
            }

            var record = new RefundRecord(request, transaction, "5030" + RandomDigits(25), Now);
            refunds.Add(request.OutRefundNo!, record);
            transaction.State = TradeStates.Refund;
            logger.LogInformation("Refund {OutRefundNo}: {Refund} of {Total} fen for {OutTradeNo}", request.OutRefundNo, request.Amount.Refund, request.Amount.Total, transaction.Order.OutTradeNo);
            CompleteLater(record, abnormalRefunds.Contains(transaction.Order.OutTradeNo!) ? RefundStatuses.Abnormal : RefundStatuses.Success);
            return V3Answer.Ok(ToResource(record));
        }
    }

    /// <summary>
    /// 发起异常退款 (https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html):
    /// only for a refund in ABNORMAL, by WeChat's refund_id and its out_refund_no; to the user's debit
    /// card (bank_type, and bank_account and real_name encrypted under the key Wechatpay-Serial names)
    /// or the merchant's bank account. The refund goes back to PROCESSING, then SUCCESS is notified.
    /// </summary>
    public V3Answer ApplyAbnormalRefund(string refundId, string body, string? serial)
    {
        if (!TryParse<AbnormalRefundRequest>(body, out var request, out var parseError))
        {
            return parseError;
        }

        if (FirstMissing(("out_refund_no", request.OutRefundNo), ("type", request.Type)) is { } missing)
        {
            return V3Answer.ParamError($"缺少参数 {missing}");
        }

        if (InvalidDestination(request, serial) is { } invalid)
        {
            return V3Answer.ParamError(invalid);
        }

        lock (gate)
        {
            var record = refunds.Values.FirstOrDefault(candidate => candidate.RefundId == refundId);
            if (record is null)
            {
                return V3Answer.Error(StatusCodes.Status404NotFound, WeChatPayErrorCodes.ResourceNotExists, "退款单不存在");
            }

            if (record.Request.OutRefundNo != request.OutRefundNo)
            {
                return V3Answer.ParamError("out_refund_no 与 refund_id 不匹配");
            }

            if (record.Status != RefundStatuses.Abnormal)
            {
                return V3Answer.InvalidRequest($"退款单状态为 {record.Status}，不是退款异常，无法发起异常退款");
            }

            record.Status = RefundStatuses.Processing;
            record.ReceivedAccount = request.Type == AbnormalRefundTypes.UserBankCard ? "用户银行卡" : "商户银行账户";
            logger.LogInformation("Abnormal refund {OutRefundNo} applied: {Type}", record.Request.OutRefundNo, request.Type);
            CompleteLater(record, RefundStatuses.Success);
            return V3Answer.Ok(ToResource(record));
        }
    }

    public V3Answer QueryRefund(string outRefundNo)
    {
        lock (gate)
        {
            return refunds.TryGetValue(outRefundNo, out var record)
                ? V3Answer.Ok(ToResource(record))
                : V3Answer.Error(StatusCodes.Status404NotFound, WeChatPayErrorCodes.ResourceNotExists, "退款单不存在");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_\\-|*]{6,32}$")]
    private static partial Regex OutTradeNoPattern();

    [GeneratedRegex("^[A-Za-z0-9_\\-|*@]{1,64}$")]
    private static partial Regex OutRefundNoPattern();

    private static string RandomDigits(int count) => System.Security.Cryptography.RandomNumberGenerator.GetString(Digits, count);

    /// <summary>Why the abnormal refund's destination is not acceptable, or null.</summary>
    private string? InvalidDestination(AbnormalRefundRequest request, string? serial)
    {
        if (request.Type == AbnormalRefundTypes.MerchantBankCard)
        {
            return null;
        }

        if (request.Type != AbnormalRefundTypes.UserBankCard)
        {
            return $"type 取值错误: {request.Type}";
        }

        if (FirstMissing(("bank_type", request.BankType), ("bank_account", request.BankAccount), ("real_name", request.RealName)) is { } missing)
        {
            return $"退款至用户银行卡时 {missing} 必填";
        }

        if (decryptionKey(serial) is not { } key)
        {
            return $"Wechatpay-Serial {serial} 不是微信支付公钥或平台证书";
        }

        return WeChatPaySensitiveData.TryDecrypt(key, request.BankAccount) is null || WeChatPaySensitiveData.TryDecrypt(key, request.RealName) is null
            ? "bank_account 或 real_name 解密失败"
            : null;
    }

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static string? FirstMissing(params ReadOnlySpan<(string Name, object? Value)> fields)
    {
        foreach (var (name, value) in fields)
        {
            if (value is null || (value is string text && string.IsNullOrWhiteSpace(text)))
            {
                return name;
            }
        }

        return null;
    }

    private static string? Invalid(JsapiPrepayOrder order) => order switch
    {
        _ when !OutTradeNoPattern().IsMatch(order.OutTradeNo!) => "out_trade_no 须为6-32位字母、数字、_-|*",
        { Amount.Total: <= 0 } => "amount.total 必须大于0",
        { Amount.Currency: not (null or Currency) } => "amount.currency 仅支持 CNY",
        _ when !IsHttpUrl(order.NotifyUrl!) => "notify_url 格式错误",
        _ => null,
    };

    private static bool TryParse<T>(string body, out T value, out V3Answer error)
        where T : class
    {
        try
        {
            value = WeChatJson.Deserialize<T>(body);
            error = default;
            return true;
        }
        catch (JsonException exception)
        {
            value = null!;
            error = V3Answer.ParamError($"请求体不是合法的 JSON: {exception.Message}");
            return false;
        }
    }

    private static SandboxTransaction Snapshot(TransactionRecord record) =>
        new(record.Order.OutTradeNo!, record.PrepayId, record.Order.Description, record.Order.NotifyUrl!, record.Order.TimeExpire, record.CreatedAt, ToResource(record));

    /// <summary>
    /// What 查单 answers and a notification carries. An unpaid transaction names neither the payer nor the
    /// order currency — only <c>amount:{payer_currency,total}</c> and an empty <c>promotion_detail</c>, as
    /// WeChat Pay answers (pay.weixin.qq.com/doc/v3/merchant/4013070356), so the mall cannot come to rely on them.
    /// </summary>
    private static Transaction ToResource(TransactionRecord record)
    {
        var paid = record.TransactionId is not null;
        return new Transaction
        {
            AppId = record.Order.AppId,
            MchId = record.Order.MchId,
            OutTradeNo = record.Order.OutTradeNo,
            TransactionId = record.TransactionId,
            TradeType = paid ? "JSAPI" : null,
            TradeState = record.State,
            TradeStateDesc = record.State switch
            {
                TradeStates.Success => "支付成功",
                TradeStates.Refund => "转入退款",
                TradeStates.Closed => "订单已关闭",
                _ => "订单未支付",
            },
            BankType = paid ? "OTHERS" : null,
            Attach = record.Order.Attach,
            SuccessTime = record.SuccessTime,
            Payer = paid ? record.Order.Payer : null,
            Amount = paid
                ? new TransactionAmount { Total = record.Order.Amount!.Total, PayerTotal = record.Order.Amount.Total, Currency = Currency, PayerCurrency = Currency }
                : new TransactionAmount { Total = record.Order.Amount!.Total, PayerCurrency = Currency },
            PromotionDetail = paid ? null : [],
        };
    }

    private static Refund ToResource(RefundRecord record) => new()
    {
        RefundId = record.RefundId,
        OutRefundNo = record.Request.OutRefundNo,
        TransactionId = record.Transaction.TransactionId,
        OutTradeNo = record.Transaction.Order.OutTradeNo,
        Channel = "ORIGINAL",
        UserReceivedAccount = record.ReceivedAccount,
        SuccessTime = record.SuccessTime,
        CreateTime = record.CreatedAt,
        Status = record.Status,
        FundsAccount = "AVAILABLE",
        Amount = RefundAmount(record),
    };

    private static RefundAmount RefundAmount(RefundRecord record) => new()
    {
        Refund = record.Request.Amount!.Refund,
        Total = record.Request.Amount.Total,
        Currency = Currency,
        PayerTotal = record.Request.Amount.Total,
        PayerRefund = record.Request.Amount.Refund,
        SettlementRefund = record.Request.Amount.Refund,
        SettlementTotal = record.Request.Amount.Total,
        DiscountRefund = 0,
    };

    private SandboxRefund Snapshot(RefundRecord record) =>
        new(record.Request.OutRefundNo!, record.Request.NotifyUrl, record.Request.Reason, record.CreatedAt, ToResource(record), ToNotificationResource(record));

    private RefundNotificationResource ToNotificationResource(RefundRecord record) => new()
    {
        MchId = options.MchId,
        TransactionId = record.Transaction.TransactionId,
        OutTradeNo = record.Transaction.Order.OutTradeNo,
        RefundId = record.RefundId,
        OutRefundNo = record.Request.OutRefundNo,
        RefundStatus = record.Status,
        SuccessTime = record.SuccessTime,
        UserReceivedAccount = record.ReceivedAccount,
        Amount = RefundAmount(record) with { Currency = null, SettlementRefund = null, SettlementTotal = null, DiscountRefund = null },
    };

    /// <summary>After <see cref="WeChatSandboxOptions.RefundCompletionDelay"/>, the refund ends in <paramref name="status"/> and is notified.</summary>
    private void CompleteLater(RefundRecord record, string status) => background.Run(async stopping =>
    {
        await Task.Delay(options.RefundCompletionDelay, options.TimeProvider, stopping);
        CompleteRefund(record, status);
    });

    private void CompleteRefund(RefundRecord record, string status)
    {
        string resourceJson;
        lock (gate)
        {
            record.Status = status;
            record.SuccessTime = status == RefundStatuses.Success ? Now : null;
            resourceJson = WeChatJson.Serialize(ToNotificationResource(record));
        }

        logger.LogInformation("Refund {OutRefundNo}: {Status}", record.Request.OutRefundNo, status);
        if (record.Request.NotifyUrl is { } url)
        {
            notifications.Send(status == RefundStatuses.Success ? NotificationKind.Refund : NotificationKind.RefundAbnormal, record.Request.OutRefundNo!, resourceJson, url, 1);
        }
    }

    private sealed class TransactionRecord(JsapiPrepayOrder order, string prepayId, DateTimeOffset createdAt)
    {
        public JsapiPrepayOrder Order { get; } = order;

        public string PrepayId { get; } = prepayId;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public string State { get; set; } = TradeStates.NotPay;

        public string? TransactionId { get; set; }

        public DateTimeOffset? SuccessTime { get; set; }
    }

    private sealed class RefundRecord(CreateRefundRequest request, TransactionRecord transaction, string refundId, DateTimeOffset createdAt)
    {
        public CreateRefundRequest Request { get; } = request;

        public TransactionRecord Transaction { get; } = transaction;

        public string RefundId { get; } = refundId;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public string Status { get; set; } = RefundStatuses.Processing;

        public DateTimeOffset? SuccessTime { get; set; }

        /// <summary>Where the money goes: the payer's balance, or the account an abnormal refund named.</summary>
        public string ReceivedAccount { get; set; } = "支付用户零钱";
    }
}
