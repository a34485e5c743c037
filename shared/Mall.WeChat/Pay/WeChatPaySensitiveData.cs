using System.Security.Cryptography;
using System.Text;

namespace Mall.WeChat.Pay;

/// <summary>
/// Sensitive request fields (a bank card number, a name) encrypted for WeChat Pay: RSA-OAEP with SHA-1
/// (WeChat's RSA/ECB/OAEPWithSHA-1AndMGF1Padding) under a WeChat Pay public key or platform
/// certificate, base64; the request names the key in Wechatpay-Serial
/// (https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html).
/// </summary>
public static class WeChatPaySensitiveData
{
    public static string Encrypt(RSA weChatPayKey, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(weChatPayKey);
        ArgumentNullException.ThrowIfNull(plaintext);
        return Convert.ToBase64String(weChatPayKey.Encrypt(Encoding.UTF8.GetBytes(plaintext), RSAEncryptionPadding.OaepSHA1));
    }

    /// <summary>WeChat Pay's side (the sandbox): the plaintext, or null when it does not decrypt under <paramref name="privateKey"/>.</summary>
    public static string? TryDecrypt(RSA privateKey, string? ciphertext)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        try
        {
            return ciphertext is null ? null : Encoding.UTF8.GetString(privateKey.Decrypt(Convert.FromBase64String(ciphertext), RSAEncryptionPadding.OaepSHA1));
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
