using System.Security.Cryptography;
using System.Text;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Security;

public sealed class DataProtectionOptions
{
    public const string SectionName = "Security";

    /// <summary>Base64 of 32 random bytes (Key Vault in Azure).</summary>
    public string DataProtectionKey { get; set; } = string.Empty;

    /// <summary>Retired keys still accepted for reading, so keys can rotate without re-encrypting first.</summary>
    public IList<string> PreviousDataProtectionKeys { get; } = [];
}

/// <summary>
/// AES-256-GCM for personal data at rest. Output: "v1.{keyId}.{base64(nonce|ciphertext|tag)}", where
/// keyId names the key so rotated-out keys can still decrypt old values.
/// </summary>
public sealed class AesGcmFieldProtector : IFieldProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly (string Id, byte[] Key) current;
    private readonly Dictionary<string, byte[]> keysById;

    public AesGcmFieldProtector(DataProtectionOptions options)
    {
        current = Parse(options.DataProtectionKey);
        keysById = options.PreviousDataProtectionKeys.Select(Parse).Append(current).ToDictionary(k => k.Id, k => k.Key);
    }

    public string Protect(string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + plain.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(current.Key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize, plain.Length), output.AsSpan(NonceSize + plain.Length), Encoding.ASCII.GetBytes(current.Id));
        return $"v1.{current.Id}.{Convert.ToBase64String(output)}";
    }

    public string Unprotect(string protectedValue)
    {
        var parts = protectedValue.Split('.');
        if (parts.Length != 3 || parts[0] != "v1" || !keysById.TryGetValue(parts[1], out var key))
        {
            throw new CryptographicException("The protected value has an unknown format or key.");
        }

        var data = Convert.FromBase64String(parts[2]);
        var plain = new byte[data.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, plain.Length), data.AsSpan(NonceSize + plain.Length), plain, Encoding.ASCII.GetBytes(parts[1]));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>
    /// Telemetry's customer pseudonyms, keyed by a key derived from the current data protection key (HKDF, its own
    /// purpose): no setting of their own, and the data protection key itself never hashes anything readable.
    /// </summary>
    public static CustomerPseudonyms PseudonymsFor(DataProtectionOptions options) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, Parse(options.DataProtectionKey).Key, 32, info: "mall telemetry customer pseudonyms"u8.ToArray()));

    private static (string Id, byte[] Key) Parse(string base64)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException exception)
        {
            throw new InvalidOperationException("Security:DataProtectionKey must be base64 of 32 bytes.", exception);
        }

        if (key.Length != 32)
        {
            throw new InvalidOperationException("Security:DataProtectionKey must be base64 of 32 bytes.");
        }

        return (Convert.ToHexString(SHA256.HashData(key))[..8], key);
    }
}
