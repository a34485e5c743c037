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

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
}
