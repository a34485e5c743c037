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
    /// <exception cref="InvalidDataException">Not JSON, or a host.json whose "version" is not "2.0" (the host does not start).</exception>
    public static IConfiguration Load(string functionAppDirectory, IConfiguration overrides)
    {
        var path = Path.Combine(functionAppDirectory, FileName);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(path))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                CheckVersion(document.RootElement, path);
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

    /// <summary>
    /// telemetryMode as the host reads it (azure-functions-host src/WebJobs.Script/ScriptHostBuilderExtensions.cs,
    /// ConfigureTelemetry, and Config/ScriptJobHostOptionsSetup.cs): <c>Enum.TryParse(value, ignoreCase: true)</c> of
    /// its TelemetryMode enum, so any casing and the enum's numbers are accepted; a value that does not parse (or
    /// none) means ApplicationInsights — the host never refuses it.
    /// </summary>
    public static TelemetryMode TelemetryMode(IConfiguration host) =>
        Enum.TryParse(host[$"{Section}:telemetryMode"], ignoreCase: true, out TelemetryMode mode) ? mode : Engine.TelemetryMode.ApplicationInsights;

    /// <summary>
    /// azure-functions-host src/WebJobs.Script/Config/HostJsonFileConfigurationSource.cs, InitializeHostConfig: an empty
    /// host.json is the default one (version 2.0); any other needs "version": "2.0", with the host's messages.
    /// </summary>
    private static void CheckVersion(JsonElement root, string path)
    {
        if (root.ValueKind == JsonValueKind.Object && !root.EnumerateObject().Any())
        {
            return;
        }

        var version = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (string.IsNullOrEmpty(version))
        {
            throw new InvalidDataException($"{path}: The {FileName} file is missing the required 'version' property. See https://aka.ms/functions-hostjson for steps to migrate the configuration file.");
        }

        if (version != "2.0")
        {
            var runtime = version.StartsWith('3') ? $"This does not correspond to the function runtime version, only to the schema version of the {FileName} file. " : string.Empty;
            throw new InvalidDataException($"{path}: '{version}' is an invalid value for {FileName} 'version' property. We recommend you set the 'version' property to '2.0'. {runtime}See https://aka.ms/functions-hostjson for more information on this configuration file.");
        }
    }

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

/// <summary>The host's TelemetryMode (src/WebJobs.Script/Diagnostics/OpenTelemetry/TelemetryMode.cs), values included: they parse too.</summary>
public enum TelemetryMode
{
    None = 0,
    ApplicationInsights = 1,
    OpenTelemetry = 2,
}
