using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Mall.Application.Platform;

/// <summary>The one JSON shape used for the API, stored documents and event payloads.</summary>
public static class MallJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // Numbers as JSON numbers only: "12.5" for a fen amount is a client bug worth a 400.
            NumberHandling = JsonNumberHandling.Strict,
            // Chinese text stays readable (and 1/6 the size) instead of \uXXXX; HTML-sensitive characters are still escaped.
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        };
        options.Converters.Add(new SingleEnumValueConverter(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false)));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// Enums as single names: JsonStringEnumConverter also reads "paid, productView" as the two values OR-ed
/// together (here an undefined stage, elsewhere a different defined one), which for an enum that is not a
/// set of flags (the mall has none) is never what a client meant; it is a malformed value (a 400), like any other bad name.
/// </summary>
internal sealed class SingleEnumValueConverter(JsonStringEnumConverter names) : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Strict<>).MakeGenericType(typeToConvert), names.CreateConverter(typeToConvert, options))!;

    private sealed class Strict<T>(JsonConverter inner) : JsonConverter<T>
        where T : struct, Enum
    {
        private readonly JsonConverter<T> names = (JsonConverter<T>)inner;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            Refuse(ref reader);
            return names.Read(ref reader, typeToConvert, options);
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => names.Write(writer, value, options);

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            Refuse(ref reader);
            return names.ReadAsPropertyName(ref reader, typeToConvert, options);
        }

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => names.WriteAsPropertyName(writer, value, options);

        private static void Refuse(ref Utf8JsonReader reader)
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.GetString()!.Contains(',', StringComparison.Ordinal))
            {
                throw new JsonException($"One {typeof(T).Name} value is expected, not a list.");
            }
        }
    }
}
