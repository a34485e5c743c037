using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mall.WeChat;

/// <summary>JSON settings shared by every WeChat wire model (property names are explicit snake_case attributes).</summary>
public static class WeChatJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <exception cref="JsonException">The text is not JSON of the expected shape (or is the JSON literal null).</exception>
    public static T Deserialize<T>(string json)
        where T : class =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, got null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

            // WeChat bodies carry Chinese text; escaping it would only make logs and fixtures unreadable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        // Shared by every caller: nobody may change it after the fact.
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// RFC 3339 times as WeChat writes them: whole seconds, Beijing time offset
/// (<c>2018-06-08T10:34:56+08:00</c>); any RFC 3339 offset is accepted when reading.
/// </summary>
public sealed class WeChatTimeConverter : JsonConverter<DateTimeOffset>
{
    private static readonly TimeSpan BeijingOffset = TimeSpan.FromHours(8);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value
            : throw new JsonException("Expected an RFC 3339 time.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToOffset(BeijingOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
}

/// <summary>A string WeChat sometimes writes as a JSON number (getuserphonenumber's countryCode); written as a string.</summary>
public sealed class StringOrNumberConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray()),
        JsonTokenType.Null => null,
        _ => throw new JsonException("Expected a string or a number."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
