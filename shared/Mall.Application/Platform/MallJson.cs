using System.Text.Json;
using System.Text.Json.Serialization;

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
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
