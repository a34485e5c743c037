using System.Text.Json;

namespace Mall.LocalHost.Engine;

/// <summary>
/// host.json as the Functions host reads it (src/WebJobs.Script/Config/HostJsonFileConfigurationSource.cs): every value becomes a
/// configuration key under "AzureFunctionsJobHost", so app settings such as
/// <c>AzureFunctionsJobHost__extensions__queues__batchSize</c> override the file.
/// </summary>
public static class HostJson
{
    public const string FileName = "host.json";
    public const string Section = "AzureFunctionsJobHost";

    /// <summary>host.json from the function app directory (nothing when it has none), then <paramref name="overrides"/>.</summary>
    public static IConfiguration Load(string functionAppDirectory, IConfiguration overrides)
    {
        var path = Path.Combine(functionAppDirectory, FileName);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(path))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                Flatten(document.RootElement, Section, values);
            }
            catch (JsonException exception)
            {
                throw new InvalidDataException($"{path} is not valid JSON: {exception.Message}", exception);
            }
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).AddConfiguration(overrides).Build();
    }

    /// <summary>extensions.http.routePrefix ("api" when not set; empty is allowed).</summary>
    public static string RoutePrefix(IConfiguration host) => host[$"{Section}:extensions:http:routePrefix"] ?? "api";

    private static void Flatten(JsonElement element, string path, Dictionary<string, string?> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, ConfigurationPath.Combine(path, property.Name), values);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, ConfigurationPath.Combine(path, (index++).ToString(System.Globalization.CultureInfo.InvariantCulture)), values);
                }

                break;
            case JsonValueKind.String:
                values[path] = element.GetString();
                break;
            case JsonValueKind.Null:
                values[path] = null;
                break;
            default:
                values[path] = element.GetRawText();
                break;
        }
    }
}
