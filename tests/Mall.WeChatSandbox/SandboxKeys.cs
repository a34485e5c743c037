using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mall.WeChat.Pay;

namespace Mall.WeChat.Sandbox;

/// <summary>
/// Every secret of the sandbox: the merchant's API key pair (the sandbox hands the private key to the mall
/// and verifies requests with the public half), the APIv3 key, and WeChat Pay's two signing keys (public
/// key and platform certificate). Generated once per state directory, or per instance without one.
/// </summary>
internal sealed class SandboxKeys : IDisposable
{
    private const string FileName = "keys.json";
    private const string Digits = "0123456789";

    private SandboxKeys(StoredKeys stored)
    {
        Stored = stored;
        MerchantKey = WeChatPem.LoadPrivateKey(stored.MerchantPrivateKey);
        PublicKeySigningKey = WeChatPem.LoadPrivateKey(stored.PublicKeySigningKey);
        PlatformSigningKey = WeChatPem.LoadPrivateKey(stored.PlatformSigningKey);
        using var certificate = WeChatPem.LoadCertificate(stored.PlatformCertificate);
        PlatformSerial = certificate.SerialNumber;
        PublicKeyPem = PublicKeySigningKey.ExportSubjectPublicKeyInfoPem();
    }

    public StoredKeys Stored { get; }

    public RSA MerchantKey { get; }

    public RSA PublicKeySigningKey { get; }

    public RSA PlatformSigningKey { get; }

    public string PlatformSerial { get; }

    public string PublicKeyPem { get; }

    public static SandboxKeys LoadOrCreate(string? stateDirectory, TimeProvider timeProvider)
    {
        if (stateDirectory is null)
        {
            return new SandboxKeys(Generate(timeProvider));
        }

        var path = Path.Combine(stateDirectory, FileName);
        if (File.Exists(path))
        {
            return new SandboxKeys(JsonSerializer.Deserialize<StoredKeys>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path} is empty."));
        }

        var stored = Generate(timeProvider);
        Directory.CreateDirectory(stateDirectory);
        File.WriteAllText(path, JsonSerializer.Serialize(stored));
        if (!OperatingSystem.IsWindows())
        {
            // Private keys: readable by the developer only.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new SandboxKeys(stored);
    }

    /// <summary>The serial announced in Wechatpay-Serial and the key that signs, for a signing mode.</summary>
    public (string Serial, RSA Key) SigningKey(SandboxSigningMode mode) => mode == SandboxSigningMode.PlatformCertificate
        ? (PlatformSerial, PlatformSigningKey)
        : (Stored.PublicKeyId, PublicKeySigningKey);

    /// <summary>The private half of the WeChat Pay key a Wechatpay-Serial names (to read encrypted request fields), or null.</summary>
    public RSA? PrivateKeyFor(string? serial) =>
        serial is null ? null
        : WeChatPayKeySet.NormalizeSerial(serial) == WeChatPayKeySet.NormalizeSerial(Stored.PublicKeyId) ? PublicKeySigningKey
        : WeChatPayKeySet.NormalizeSerial(serial) == WeChatPayKeySet.NormalizeSerial(PlatformSerial) ? PlatformSigningKey
        : null;

    public void Dispose()
    {
        MerchantKey.Dispose();
        PublicKeySigningKey.Dispose();
        PlatformSigningKey.Dispose();
    }

    private static StoredKeys Generate(TimeProvider timeProvider)
    {
        using var merchant = RSA.Create(2048);
        using var publicKey = RSA.Create(2048);
        using var platform = RSA.Create(2048);

        // A positive 20-byte serial without leading zeros, rendered the same by X.509 and by WeChat.
        var serial = RandomNumberGenerator.GetBytes(20);
        serial[0] = (byte)(0x10 | (serial[0] & 0x7F));
        var now = timeProvider.GetUtcNow();
        var request = new CertificateRequest("CN=WeChat Pay Sandbox Platform, O=Mall.WeChatSandbox", platform, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(
            request.SubjectName,
            X509SignatureGenerator.CreateForRSA(platform, RSASignaturePadding.Pkcs1),
            now.AddDays(-1),
            now.AddYears(5),
            serial);

        return new StoredKeys(
            Convert.ToHexString(RandomNumberGenerator.GetBytes(20)),
            merchant.ExportPkcs8PrivateKeyPem(),
            WeChatPaySignatures.CreateNonce(32),
            "PUB_KEY_ID_0119" + RandomNumberGenerator.GetString(Digits, 24),
            publicKey.ExportPkcs8PrivateKeyPem(),
            platform.ExportPkcs8PrivateKeyPem(),
            certificate.ExportCertificatePem());
    }

    internal sealed record StoredKeys(
        string MerchantSerialNo,
        string MerchantPrivateKey,
        string ApiV3Key,
        string PublicKeyId,
        string PublicKeySigningKey,
        string PlatformSigningKey,
        string PlatformCertificate);
}
