using System.Text;

namespace Mall.WeChat.Pay;

/// <summary>
/// The merchant's request credential:
/// <c>WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"</c>.
/// </summary>
public sealed record WeChatPayAuthorization(string MchId, string NonceStr, string Signature, string Timestamp, string SerialNo)
{
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    /// <summary>The full Authorization header value (scheme and parameters).</summary>
    public override string ToString() =>
        $"{Scheme} mchid=\"{MchId}\",nonce_str=\"{NonceStr}\",signature=\"{Signature}\",timestamp=\"{Timestamp}\",serial_no=\"{SerialNo}\"";

    /// <summary>Parses a header value; parameters may come in any order, all five are required.</summary>
    public static bool TryParse(string? header, out WeChatPayAuthorization? authorization)
    {
        authorization = null;
        if (header is null || !header.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return false;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in SplitParameters(header[(Scheme.Length + 1)..]))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var value = part[(equals + 1)..].Trim();
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
            {
                return false;
            }

            parameters[part[..equals].Trim()] = value[1..^1];
        }

        if (parameters.TryGetValue("mchid", out var mchId)
            && parameters.TryGetValue("nonce_str", out var nonce)
            && parameters.TryGetValue("signature", out var signature)
            && parameters.TryGetValue("timestamp", out var timestamp)
            && parameters.TryGetValue("serial_no", out var serial))
        {
            authorization = new WeChatPayAuthorization(mchId, nonce, signature, timestamp, serial);
            return true;
        }

        return false;
    }

    // Commas only separate parameters outside quotes (base64 never contains one, but be exact).
    private static IEnumerable<string> SplitParameters(string text)
    {
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == ',' && !quoted)
            {
                yield return current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        yield return current.ToString();
    }
}
