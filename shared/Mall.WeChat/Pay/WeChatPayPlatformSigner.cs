using System.Security.Cryptography;

namespace Mall.WeChat.Pay;

/// <summary>
/// WeChat Pay's side of the signature: signs response and notification bodies with a platform key
/// (certificate or WeChat Pay public key) and announces its serial. Used by the sandbox and tests.
/// </summary>
public sealed class WeChatPayPlatformSigner
{
    private readonly RSA privateKey;

    public WeChatPayPlatformSigner(string serial, RSA privateKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serial);
        ArgumentNullException.ThrowIfNull(privateKey);
        Serial = serial;
        this.privateKey = privateKey;
    }

    public string Serial { get; }

    /// <summary>The Wechatpay-* headers for a body sent at <paramref name="time"/>.</summary>
    public IReadOnlyDictionary<string, string> Sign(string body, DateTimeOffset time)
    {
        var timestamp = WeChatPaySignatures.Timestamp(time);
        var nonce = WeChatPaySignatures.CreateNonce();
        return new Dictionary<string, string>
        {
            [WeChatPayHeaders.Timestamp] = timestamp,
            [WeChatPayHeaders.Nonce] = nonce,
            [WeChatPayHeaders.Signature] = WeChatPaySignatures.Sign(privateKey, WeChatPaySignatures.ResponseMessage(timestamp, nonce, body)),
            [WeChatPayHeaders.Serial] = Serial,
            [WeChatPayHeaders.SignatureType] = WeChatPayAuthorization.Scheme,
        };
    }
}
