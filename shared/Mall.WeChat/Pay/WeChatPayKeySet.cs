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
    private readonly string? encryptionSerial;

    private WeChatPayKeySet(Dictionary<string, RSA> keys, string? encryptionSerial)
    {
        this.keys = keys;
        this.encryptionSerial = encryptionSerial;
    }

    public IReadOnlyCollection<string> Serials => keys.Keys;

    /// <summary>
    /// The key to encrypt sensitive request fields with (<see cref="WeChatPaySensitiveData"/>) and the
    /// serial to announce it with: the WeChat Pay public key when there is one (WeChat's recommendation),
    /// else the first platform certificate.
    /// </summary>
    public (string Serial, RSA Key) EncryptionKey =>
        encryptionSerial is not null ? (encryptionSerial, keys[NormalizeSerial(encryptionSerial)]) : throw new InvalidOperationException("No WeChat Pay key is configured.");

    /// <exception cref="ArgumentException">A certificate or key does not parse, or an id appears twice.</exception>
    public static WeChatPayKeySet Create(IEnumerable<string> platformCertificatePems, IEnumerable<WeChatPayPublicKey> publicKeys)
    {
        ArgumentNullException.ThrowIfNull(platformCertificatePems);
        ArgumentNullException.ThrowIfNull(publicKeys);
        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        string? encryptionSerial = null;
        try
        {
            foreach (var pem in platformCertificatePems)
            {
                using var certificate = WeChatPem.LoadCertificate(pem);
                var key = certificate.GetRSAPublicKey() ?? throw new ArgumentException("The platform certificate does not hold an RSA key.", nameof(platformCertificatePems));
                Add(keys, certificate.SerialNumber, key);
                encryptionSerial ??= certificate.SerialNumber;
            }

            var firstPublicKey = true;
            foreach (var publicKey in publicKeys)
            {
                Add(keys, publicKey.Id, WeChatPem.LoadPublicKey(publicKey.Pem));
                encryptionSerial = firstPublicKey ? publicKey.Id : encryptionSerial;
                firstPublicKey = false;
            }

            return new WeChatPayKeySet(keys, encryptionSerial);
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
