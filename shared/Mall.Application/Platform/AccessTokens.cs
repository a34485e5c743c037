using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mall.Application.Platform;

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Base64 of at least 32 random bytes (Key Vault in Azure).</summary>
    public string SessionSigningKey { get; set; } = string.Empty;

    public int SessionLifetimeMinutes { get; set; } = 1440;

    public int AdminTokenLifetimeMinutes { get; set; } = 480;
}

public static class Roles
{
    public const string Customer = "customer";
    public const string Admin = "admin";
}

public sealed record AccessToken(string Token, DateTimeOffset ExpiresAt);

public sealed record AccessTokenClaims(string Subject, string Role, DateTimeOffset ExpiresAt);

/// <summary>
/// Compact signed tokens ("{payload}.{HMAC-SHA256}", base64url) for mini-program sessions and
/// operators. Stateless, so any instance can check them; the signing key is the only secret.
/// </summary>
public sealed class AccessTokenService
{
    private readonly SignedPayloads signer;
    private readonly TimeProvider time;

    public AccessTokenService(AuthOptions options, TimeProvider time)
    {
        signer = new SignedPayloads(SignedPayloads.DecodeKey(options.SessionSigningKey));
        this.time = time;
    }

    public AccessToken Issue(string subject, string role, TimeSpan lifetime)
    {
        var expiresAt = time.GetUtcNow() + lifetime;
        return new AccessToken(signer.Seal(new TokenPayload(subject, role, expiresAt.ToUnixTimeSeconds())), DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>The claims of a genuine, unexpired token; null for anything else.</summary>
    public AccessTokenClaims? Validate(string token)
    {
        var payload = signer.Open<TokenPayload>(token);
        if (payload is null || string.IsNullOrEmpty(payload.Sub) || DateTimeOffset.FromUnixTimeSeconds(payload.Exp) <= time.GetUtcNow())
        {
            return null;
        }

        return new AccessTokenClaims(payload.Sub, payload.Role, DateTimeOffset.FromUnixTimeSeconds(payload.Exp));
    }

    private sealed record TokenPayload(string Sub, string Role, long Exp);
}

/// <summary>JSON payloads sealed with an HMAC-SHA256 as "{payload}.{signature}", both base64url.</summary>
public sealed class SignedPayloads(byte[] key)
{
    /// <summary>A key of its own for one purpose, derived from the mall's signing key, so one kind of token never passes for another.</summary>
    public static SignedPayloads ForPurpose(AuthOptions options, string purpose) => new(DeriveKey(options, purpose));

    /// <summary>A 256-bit key for one purpose, derived from the mall's signing key.</summary>
    public static byte[] DeriveKey(AuthOptions options, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, DecodeKey(options.SessionSigningKey), 32, info: Encoding.UTF8.GetBytes(purpose));

    public static byte[] DecodeKey(string base64)
    {
        try
        {
            var bytes = Convert.FromBase64String(base64);
            if (bytes.Length >= 32)
            {
                return bytes;
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidOperationException("Auth:SessionSigningKey must be base64 of at least 32 random bytes.");
    }

    public string Seal<T>(T payload)
    {
        var encodedPayload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        return $"{encodedPayload}.{Base64Url.EncodeToString(Sign(encodedPayload))}";
    }

    /// <summary>The payload of a token this key sealed; null for anything else (forged, altered, malformed).</summary>
    public T? Open<T>(string token)
        where T : class
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1)
        {
            return null;
        }

        var encodedPayload = token[..dot];
        try
        {
            var signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            return CryptographicOperations.FixedTimeEquals(signature, Sign(encodedPayload))
                ? JsonSerializer.Deserialize<T>(Base64Url.DecodeFromChars(encodedPayload))
                : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }

    private byte[] Sign(string encodedPayload) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(encodedPayload));
}

/// <summary>
/// Tokens whose payload only the mall can read or alter (AES-256-GCM under a key derived for one purpose): for a
/// token that travels in the open — a share link is posted in group chats — and must not show whom it names.
/// </summary>
public sealed class EncryptedPayloads(byte[] key)
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static EncryptedPayloads ForPurpose(AuthOptions options, string purpose) => new(SignedPayloads.DeriveKey(options, purpose));

    public string Seal<T>(T payload)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(payload);
        var sealedBytes = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The payload of a token this key sealed; null for anything else (forged, altered, malformed).</summary>
    public T? Open<T>(string token)
        where T : class
    {
        try
        {
            var sealedBytes = Base64Url.DecodeFromChars(token);
            if (sealedBytes.Length <= NonceBytes + TagBytes)
            {
                return null;
            }

            var plaintext = new byte[sealedBytes.Length - NonceBytes - TagBytes];
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), plaintext);
            return JsonSerializer.Deserialize<T>(plaintext);
        }
        catch (Exception exception) when (exception is FormatException or AuthenticationTagMismatchException or JsonException)
        {
            return null;
        }
    }
}
