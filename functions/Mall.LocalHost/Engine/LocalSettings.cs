using System.Text.Json;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Reads local.settings.json-style files ({"Values": {...}}) into configuration, with the worker's key
/// convention: <c>Section__Key</c> becomes <c>Section:Key</c>.
/// </summary>
public static class LocalSettings
{
    public static IConfigurationBuilder AddLocalSettingsFile(this IConfigurationBuilder builder, string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Settings file '{path}' does not exist.", path);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"Settings file '{path}' has no \"Values\" object.");
        }

        return builder.AddInMemoryCollection(values.EnumerateObject().Select(property => KeyValuePair.Create(
            property.Name.Replace("__", ":", StringComparison.Ordinal),
            property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText())).ToList());
    }
}
