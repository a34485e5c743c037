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
    private readonly byte[] key;
    private readonly TimeProvider time;

    public AccessTokenService(AuthOptions options, TimeProvider time)
    {
        key = DecodeKey(options.SessionSigningKey);
        this.time = time;
    }

    public AccessToken Issue(string subject, string role, TimeSpan lifetime)
    {
        var expiresAt = time.GetUtcNow() + lifetime;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new TokenPayload(subject, role, expiresAt.ToUnixTimeSeconds()));
        var encodedPayload = Base64Url.EncodeToString(payload);
        return new AccessToken($"{encodedPayload}.{Base64Url.EncodeToString(Sign(encodedPayload))}", DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>The claims of a genuine, unexpired token; null for anything else.</summary>
    public AccessTokenClaims? Validate(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1)
        {
            return null;
        }

        var encodedPayload = token[..dot];
        byte[] signature;
        TokenPayload? payload;
        try
        {
            signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            if (!CryptographicOperations.FixedTimeEquals(signature, Sign(encodedPayload)))
            {
                return null;
            }

            payload = JsonSerializer.Deserialize<TokenPayload>(Base64Url.DecodeFromChars(encodedPayload));
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }

        if (payload is null || string.IsNullOrEmpty(payload.Sub) || DateTimeOffset.FromUnixTimeSeconds(payload.Exp) <= time.GetUtcNow())
        {
            return null;
        }

        return new AccessTokenClaims(payload.Sub, payload.Role, DateTimeOffset.FromUnixTimeSeconds(payload.Exp));
    }

    private byte[] Sign(string encodedPayload) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(encodedPayload));

    private static byte[] DecodeKey(string base64)
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

    private sealed record TokenPayload(string Sub, string Role, long Exp);
}
