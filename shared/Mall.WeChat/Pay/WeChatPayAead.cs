using System.Security.Cryptography;
using System.Text;

namespace Mall.WeChat.Pay;

/// <summary>
/// AEAD_AES_256_GCM as WeChat Pay uses it for notification resources: key = the APIv3 key's 32 ASCII
/// bytes, nonce = the 12-character nonce string's bytes, associated data as given, and the base64
/// ciphertext is the ciphertext followed by the 16-byte tag.
/// </summary>
public static class WeChatPayAead
{
    public const string Algorithm = "AEAD_AES_256_GCM";

    private const int TagSize = 16;
    private const int NonceSize = 12;

    /// <exception cref="ArgumentException">The APIv3 key is not 32 bytes.</exception>
    /// <exception cref="CryptographicException">Malformed input or authentication failed (wrong key, tampered data).</exception>
    public static string Decrypt(string apiV3Key, string nonce, string? associatedData, string ciphertextBase64)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(ciphertextBase64);
        var sealedBytes = new byte[ciphertextBase64.Length];
        if (!Convert.TryFromBase64String(ciphertextBase64, sealedBytes, out var length) || length < TagSize)
        {
            throw new CryptographicException("The ciphertext is not base64 of ciphertext and tag.");
        }

        var ciphertext = sealedBytes.AsSpan(0, length - TagSize);
        var plaintext = new byte[ciphertext.Length];
        using var aes = CreateAes(apiV3Key);
        aes.Decrypt(NonceBytes(nonce), ciphertext, sealedBytes.AsSpan(length - TagSize, TagSize), plaintext, Aad(associatedData));
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>The inverse of <see cref="Decrypt"/> (what WeChat Pay does; used by the sandbox and tests).</summary>
    public static string Encrypt(string apiV3Key, string nonce, string? associatedData, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(plaintext);
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[plain.Length + TagSize];
        using var aes = CreateAes(apiV3Key);
        aes.Encrypt(NonceBytes(nonce), plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), Aad(associatedData));
        return Convert.ToBase64String(sealedBytes);
    }

    private static AesGcm CreateAes(string apiV3Key)
    {
        ArgumentNullException.ThrowIfNull(apiV3Key);
        var key = Encoding.UTF8.GetBytes(apiV3Key);
        return key.Length == 32
            ? new AesGcm(key, TagSize)
            : throw new ArgumentException("The APIv3 key must be 32 ASCII characters.", nameof(apiV3Key));
    }

    private static byte[] NonceBytes(string nonce)
    {
        var bytes = Encoding.UTF8.GetBytes(nonce);
        return bytes.Length == NonceSize ? bytes : throw new CryptographicException("The nonce must be 12 bytes.");
    }

    private static byte[] Aad(string? associatedData) => Encoding.UTF8.GetBytes(associatedData ?? string.Empty);
}
