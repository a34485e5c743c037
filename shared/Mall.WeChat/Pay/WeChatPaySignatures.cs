using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mall.WeChat.Pay;

/// <summary>
/// The WeChat Pay API v3 signing messages and RSA-SHA256 (PKCS#1 v1.5) signatures over them. Every
/// message is a list of lines, each terminated by "\n" (including the last one).
/// </summary>
public static class WeChatPaySignatures
{
    /// <summary>The probe WeChat sends to check merchants really verify: such a signature is never valid.</summary>
    public const string SignTestPrefix = "WECHATPAY/SIGNTEST/";

    private const string NonceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>What a merchant signs for a request; the canonical URL is the path plus query string.</summary>
    public static string RequestMessage(string method, string canonicalUrl, string timestamp, string nonce, string body) =>
        Lines(method, canonicalUrl, timestamp, nonce, body);

    /// <summary>What WeChat Pay signs for a response or a notification.</summary>
    public static string ResponseMessage(string timestamp, string nonce, string body) => Lines(timestamp, nonce, body);

    /// <summary>What the merchant signs for <c>wx.requestPayment</c> (paySign, signType RSA).</summary>
    public static string RequestPaymentMessage(string appId, string timeStamp, string nonceStr, string package) =>
        Lines(appId, timeStamp, nonceStr, package);

    /// <summary>Base64 RSA-SHA256 PKCS#1 v1.5 signature of the UTF-8 message.</summary>
    public static string Sign(RSA privateKey, string message)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var signature = privateKey.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return Convert.ToBase64String(signature);
    }

    /// <summary>False for anything that is not a valid signature, including malformed base64.</summary>
    public static bool Verify(RSA publicKey, string message, string signatureBase64)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(signatureBase64);
        var signature = new byte[signatureBase64.Length];
        return Convert.TryFromBase64String(signatureBase64, signature, out var length)
            && publicKey.VerifyData(
                Encoding.UTF8.GetBytes(message),
                signature.AsSpan(0, length),
                HashAlgorithmName.SHA256,
                RSASignaturePadding.Pkcs1);
    }

    /// <summary>A random nonce of letters and digits (WeChat uses 32 for requests, 12 for AEAD nonces).</summary>
    public static string CreateNonce(int length = 32) => RandomNumberGenerator.GetString(NonceAlphabet, length);

    /// <summary>Unix time in seconds, as every WeChat timestamp is written.</summary>
    public static string Timestamp(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads a Unix-seconds timestamp; false for anything else (signs, spaces, out of range).</summary>
    public static bool TryParseTimestamp(string? timestamp, out DateTimeOffset time)
    {
        time = default;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static string Lines(params ReadOnlySpan<string> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line).Append('\n');
        }

        return builder.ToString();
    }
}
