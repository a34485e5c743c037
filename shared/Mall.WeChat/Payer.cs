using System.Text.Json.Serialization;

namespace Mall.WeChat;

/// <summary><c>{"openid": …}</c>: the payer of a WeChat Pay transaction (also used by shipping uploads).</summary>
public sealed record Payer
{
    [JsonPropertyName("openid")]
    public string? OpenId { get; init; }
}
