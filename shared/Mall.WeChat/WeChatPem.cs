using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mall.WeChat;

/// <summary>Loads PEM keys and certificates as they come from app settings.</summary>
public static class WeChatPem
{
    /// <summary>
    /// App settings often carry PEM on one line with literal <c>\n</c> escapes (environment variables,
    /// Key Vault references); turn those back into real line breaks.
    /// </summary>
    public static string Normalize(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return pem.Replace("\\r\\n", "\n", StringComparison.Ordinal)
            .Replace("\\n", "\n", StringComparison.Ordinal)
            .Trim();
    }

    /// <summary>An RSA private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY").</summary>
    /// <exception cref="ArgumentException">The text is not a PEM RSA private key.</exception>
    public static RSA LoadPrivateKey(string pem) => LoadRsa(pem, "private key", requirePrivate: true);

    /// <summary>An RSA public key (SubjectPublicKeyInfo "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY").</summary>
    /// <exception cref="ArgumentException">The text is not a PEM RSA public key.</exception>
    public static RSA LoadPublicKey(string pem) => LoadRsa(pem, "public key", requirePrivate: false);

    /// <exception cref="ArgumentException">The text is not a PEM X.509 certificate.</exception>
    public static X509Certificate2 LoadCertificate(string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(Normalize(pem));
        }
        catch (CryptographicException exception)
        {
            throw new ArgumentException("Not a PEM X.509 certificate.", nameof(pem), exception);
        }
    }

    private static RSA LoadRsa(string pem, string what, bool requirePrivate)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(Normalize(pem));
            if (requirePrivate)
            {
                // Throws if only the public half was imported.
                rsa.ExportParameters(includePrivateParameters: true);
            }

            return rsa;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new ArgumentException($"Not a PEM RSA {what}.", nameof(pem), exception);
        }
    }
}
