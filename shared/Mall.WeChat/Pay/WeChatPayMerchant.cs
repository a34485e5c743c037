using System.Security.Cryptography;

namespace Mall.WeChat.Pay;

/// <summary>The merchant's API credential: mch id, the serial number of its API certificate and its private key.</summary>
public sealed class WeChatPayMerchant : IDisposable
{
    private readonly RSA privateKey;

    public WeChatPayMerchant(string mchId, string serialNo, RSA privateKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mchId);
        ArgumentException.ThrowIfNullOrWhiteSpace(serialNo);
        ArgumentNullException.ThrowIfNull(privateKey);
        MchId = mchId;
        SerialNo = serialNo;
        this.privateKey = privateKey;
    }

    public string MchId { get; }

    public string SerialNo { get; }

    /// <exception cref="ArgumentException">The PEM is not an RSA private key.</exception>
    public static WeChatPayMerchant FromPem(string mchId, string serialNo, string privateKeyPem) =>
        new(mchId, serialNo, WeChatPem.LoadPrivateKey(privateKeyPem));

    /// <summary>The Authorization header for one request.</summary>
    public WeChatPayAuthorization Authorize(string method, string canonicalUrl, string body, string timestamp, string nonce)
    {
        var message = WeChatPaySignatures.RequestMessage(method, canonicalUrl, timestamp, nonce, body);
        return new WeChatPayAuthorization(MchId, nonce, WeChatPaySignatures.Sign(privateKey, message), timestamp, SerialNo);
    }

    /// <summary>paySign for <c>wx.requestPayment</c>.</summary>
    public string SignRequestPayment(string appId, string timeStamp, string nonceStr, string package) =>
        WeChatPaySignatures.Sign(privateKey, WeChatPaySignatures.RequestPaymentMessage(appId, timeStamp, nonceStr, package));

    public override string ToString() => $"WeChatPayMerchant {{ MchId = {MchId}, SerialNo = {SerialNo} }}";

    public void Dispose() => privateKey.Dispose();
}
