namespace Mall.WeChat.Pay;

/// <summary>Header names of WeChat Pay signed responses and notifications.</summary>
public static class WeChatPayHeaders
{
    public const string Timestamp = "Wechatpay-Timestamp";
    public const string Nonce = "Wechatpay-Nonce";
    public const string Signature = "Wechatpay-Signature";
    public const string Serial = "Wechatpay-Serial";
    public const string SignatureType = "Wechatpay-Signature-Type";
    public const string RequestId = "Request-ID";
}
