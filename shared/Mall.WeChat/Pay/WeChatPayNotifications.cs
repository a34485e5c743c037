using System.Security.Cryptography;

namespace Mall.WeChat.Pay;

/// <summary>Sealing and opening the encrypted resource of a WeChat Pay notification.</summary>
public static class WeChatPayNotifications
{
    public const string EncryptedResourceType = "encrypt-resource";

    /// <summary>The resource's plaintext JSON.</summary>
    /// <exception cref="CryptographicException">Not an AEAD_AES_256_GCM resource, or it does not decrypt with this key.</exception>
    public static string Open(NotificationEnvelope envelope, string apiV3Key)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var resource = envelope.Resource;
        if (resource is null || resource.Algorithm != WeChatPayAead.Algorithm || resource.Ciphertext is null || resource.Nonce is null)
        {
            throw new CryptographicException($"The notification has no {WeChatPayAead.Algorithm} resource.");
        }

        return WeChatPayAead.Decrypt(apiV3Key, resource.Nonce, resource.AssociatedData, resource.Ciphertext);
    }

    /// <summary>What WeChat Pay sends: the resource JSON encrypted under the APIv3 key with a fresh nonce.</summary>
    /// <param name="originalType"><c>transaction</c> or <c>refund</c>; WeChat also uses it as associated data.</param>
    public static NotificationEnvelope Seal(
        string id,
        DateTimeOffset createTime,
        string eventType,
        string summary,
        string originalType,
        string resourceJson,
        string apiV3Key)
    {
        var nonce = WeChatPaySignatures.CreateNonce(12);
        return new NotificationEnvelope
        {
            Id = id,
            CreateTime = createTime,
            EventType = eventType,
            ResourceType = EncryptedResourceType,
            Summary = summary,
            Resource = new NotificationResource
            {
                Algorithm = WeChatPayAead.Algorithm,
                OriginalType = originalType,
                AssociatedData = originalType,
                Nonce = nonce,
                Ciphertext = WeChatPayAead.Encrypt(apiV3Key, nonce, originalType, resourceJson),
            },
        };
    }
}
