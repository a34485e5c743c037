using System.Text.Json;

namespace Mall.LocalHost.Engine;

/// <summary>
/// One entry of functions.metadata, the file the Worker SDK writes into the function app's build output
/// and the Functions host registers functions from.
/// </summary>
public sealed record FunctionMetadata(string Name, string? ScriptFile, string? EntryPoint, IReadOnlyList<BindingMetadata> Bindings)
{
    public const string FileName = "functions.metadata";

    /// <summary>Reads <see cref="FileName"/> from a function app's output directory.</summary>
    /// <exception cref="InvalidDataException">The file is missing or is not the SDK's format.</exception>
    public static IReadOnlyList<FunctionMetadata> ReadFrom(string functionAppDirectory)
    {
        var path = Path.Combine(functionAppDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException(
                $"There is no {FileName} in '{functionAppDirectory}': point the local host at a function app's build output (the Worker SDK writes {FileName} there).");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <param name="source">Named in errors (the file's path).</param>
    public static IReadOnlyList<FunctionMetadata> Parse(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{source}: expected a JSON array of functions.");
            }

            return document.RootElement.EnumerateArray().Select((entry, index) => entry.ValueKind == JsonValueKind.Object
                ? new FunctionMetadata(
                    StringProperty(entry, "name") ?? string.Empty,
                    StringProperty(entry, "scriptFile"),
                    StringProperty(entry, "entryPoint"),
                    entry.TryGetProperty("bindings", out var bindings) && bindings.ValueKind == JsonValueKind.Array
                        ? bindings.EnumerateArray().Select(b => new BindingMetadata(b.Clone())).ToList()
                        : [])
                : throw new InvalidDataException($"{source}: function [{index}] is not a JSON object.")).ToList();
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{source} is not valid JSON: {exception.Message}", exception);
        }
    }

    /// <summary>The trigger, when the function has exactly one (the host's rules refuse the others).</summary>
    public BindingMetadata Trigger => Bindings.Single(b => b.IsTrigger && b.IsInput);

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

/// <summary>
/// One binding of a function as functions.metadata describes it: type, direction and name, and the
/// type's own properties (route, methods, schedule, queueName, connection, …), looked up by name
/// regardless of case as the host does.
/// </summary>
public sealed class BindingMetadata(JsonElement raw)
{
    public const string ReturnName = "$return";

    public string? Name => Get("name");

    public string? Type => Get("type");

    public string? Direction => Get("direction");

    /// <summary>The host's test (src/WebJobs.Script.Abstractions/Description/Binding/BindingMetadata.cs, IsTrigger): the type ends in "trigger".</summary>
    public bool IsTrigger => Type?.EndsWith("trigger", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The host's input bindings are those whose direction is not "out".</summary>
    public bool IsInput => !string.Equals(Direction, "out", StringComparison.OrdinalIgnoreCase);

    public bool IsReturn => string.Equals(Name, ReturnName, StringComparison.OrdinalIgnoreCase);

    public bool IsOfType(string type) => string.Equals(Type, type, StringComparison.OrdinalIgnoreCase);

    public string? Get(string property) => Find(property) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public bool GetBool(string property, bool whenAbsent = false) => Find(property) is not { } value
        ? whenAbsent
        : value.ValueKind == JsonValueKind.True || (value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString(), out var parsed) && parsed);

    /// <summary>A string array property; null when absent.</summary>
    public IReadOnlyList<string>? GetStrings(string property) => Find(property) is { ValueKind: JsonValueKind.Array } value
        ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
        : null;

    public override string ToString() => raw.GetRawText();

    private JsonElement? Find(string property) => raw.ValueKind == JsonValueKind.Object
        ? raw.EnumerateObject().Where(p => string.Equals(p.Name, property, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault()
        : null;
}
