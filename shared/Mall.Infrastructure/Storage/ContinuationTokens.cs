using System.Buffers.Text;
using System.Text;
using Mall.Domain.Common;

namespace Mall.Infrastructure.Storage;

/// <summary>
/// Continuation tokens handed to API callers are opaque: the storage token base64url-encoded,
/// so callers cannot build or edit them by hand and the storage format can change.
/// </summary>
public static class ContinuationTokens
{
    public static string? Encode(string? storageToken) =>
        storageToken is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(storageToken));

    public static string? Decode(string? apiToken)
    {
        if (string.IsNullOrEmpty(apiToken))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(apiToken));
        }
        catch (FormatException)
        {
            throw DomainException.Validation("continuationToken", "The continuation token is not valid.");
        }
    }
}
