using System.Text;

namespace Mall.Application.Platform;

/// <summary>
/// Table Storage keys may not contain '/', '\', '#', '?' or control characters
/// (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model);
/// values made of business ids (event ids, ledger keys) are escaped with '%XX', reversibly.
/// </summary>
public static class StorageKeys
{
    public static string Escape(string value)
    {
        if (!value.Any(NeedsEscape))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            escaped.Append(NeedsEscape(c) ? $"%{(int)c:X2}" : c);
        }

        return escaped.ToString();
    }

    /// <summary>Whether Table Storage accepts <paramref name="key"/> as a partition or row key.</summary>
    public static bool IsValid(string key) => !key.Any(IsForbidden);

    /// <summary>Refuses a key Table Storage would refuse before any request is made: the edge must never let one through.</summary>
    /// <exception cref="ArgumentException">A key holds a forbidden character.</exception>
    public static void EnsureValid(DocumentKey key)
    {
        if (!IsValid(key.PartitionKey) || !IsValid(key.RowKey))
        {
            throw new ArgumentException(
                $"'{Escape(key.PartitionKey)}', '{Escape(key.RowKey)}' is not a valid Table Storage key: an id reached storage without passing the API's id rule.",
                nameof(key));
        }
    }

    private static bool IsForbidden(char c) => c is '/' or '\\' or '#' or '?' || char.IsControl(c);

    private static bool NeedsEscape(char c) => IsForbidden(c) || c == '%';
}
