using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mall.WeChat.Pay;

/// <summary>A WeChat Pay public key as WeChat issues it: its id (<c>PUB_KEY_ID_…</c>) and PEM SubjectPublicKeyInfo.</summary>
public sealed record WeChatPayPublicKey(string Id, string Pem);

/// <summary>
/// The keys that may sign WeChat Pay responses and notifications, by the <c>Wechatpay-Serial</c> they are
/// announced with: platform certificates (serial = certificate serial number in hex) and WeChat Pay public
/// keys (serial = the key id). Both kinds are live at once while WeChat migrates merchants between them.
/// </summary>
public sealed class WeChatPayKeySet : IDisposable
{
    private readonly Dictionary<string, RSA> keys;

    private WeChatPayKeySet(Dictionary<string, RSA> keys)
    {
        this.keys = keys;
    }

    public IReadOnlyCollection<string> Serials => keys.Keys;

    /// <exception cref="ArgumentException">A certificate or key does not parse, or an id appears twice.</exception>
    public static WeChatPayKeySet Create(IEnumerable<string> platformCertificatePems, IEnumerable<WeChatPayPublicKey> publicKeys)
    {
        ArgumentNullException.ThrowIfNull(platformCertificatePems);
        ArgumentNullException.ThrowIfNull(publicKeys);
        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        try
        {
            foreach (var pem in platformCertificatePems)
            {
                using var certificate = WeChatPem.LoadCertificate(pem);
                var key = certificate.GetRSAPublicKey() ?? throw new ArgumentException("The platform certificate does not hold an RSA key.", nameof(platformCertificatePems));
                Add(keys, certificate.SerialNumber, key);
            }

            foreach (var publicKey in publicKeys)
            {
                Add(keys, publicKey.Id, WeChatPem.LoadPublicKey(publicKey.Pem));
            }

            return new WeChatPayKeySet(keys);
        }
        catch
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Serials compare case-insensitively and without leading zeros: X.509 serial numbers may carry a
    /// sign-padding 00 byte that WeChat's own rendering (a big integer in hex) leaves out.
    /// </summary>
    public static string NormalizeSerial(string serial)
    {
        ArgumentNullException.ThrowIfNull(serial);
        return serial.Trim().TrimStart('0').ToUpperInvariant();
    }

    public bool TryGetKey(string serial, out RSA key) => keys.TryGetValue(NormalizeSerial(serial), out key!);

    public void Dispose()
    {
        foreach (var key in keys.Values)
        {
            key.Dispose();
        }
    }

    private static void Add(Dictionary<string, RSA> keys, string serial, RSA key)
    {
        var normalized = NormalizeSerial(serial);
        if (normalized.Length == 0 || !keys.TryAdd(normalized, key))
        {
            key.Dispose();
            throw new ArgumentException($"Verification key serial '{serial}' is empty or appears twice.", nameof(serial));
        }
    }
}
