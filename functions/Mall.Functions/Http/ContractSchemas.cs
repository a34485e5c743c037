using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Mall.Application.Platform;
using Microsoft.OpenApi;

namespace Mall.Functions.Http;

/// <summary>
/// JSON Schemas of contract types as <see cref="MallJson.Options"/> writes and reads them: the serializer's own
/// contract (property names, ignored members, enums as camelCase names) rather than a second reading of the
/// types. Each object type becomes one component, closed (additionalProperties: false); a property is
/// required unless it is nullable, since null properties are left out of what the API writes.
/// </summary>
internal sealed class ContractSchemas(OpenApiDocument document)
{
    private readonly NullabilityInfoContext nullability = new();
    private readonly Dictionary<Type, string> names = [];

    public IOpenApiSchema For(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (Scalar(underlying) is { } scalar)
        {
            return scalar;
        }

        if (underlying.IsEnum)
        {
            return new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = Enum.GetNames(underlying).Select(n => (JsonNode)JsonValue.Create(JsonNamingPolicy.CamelCase.ConvertName(n))).ToList(),
            };
        }

        var info = MallJson.Options.GetTypeInfo(underlying);
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => new OpenApiSchema { Type = JsonSchemaType.Array, Items = For(ElementType(underlying)) },
            JsonTypeInfoKind.Dictionary => new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = For(underlying.GetGenericArguments()[^1]) },
            JsonTypeInfoKind.Object => Component(underlying, info),
            _ => new OpenApiSchema(),
        };
    }

    private static OpenApiSchema? Scalar(Type type) => type switch
    {
        _ when type == typeof(string) => new() { Type = JsonSchemaType.String },
        _ when type == typeof(bool) => new() { Type = JsonSchemaType.Boolean },
        _ when type == typeof(int) || type == typeof(short) || type == typeof(byte) => new() { Type = JsonSchemaType.Integer, Format = "int32" },
        _ when type == typeof(long) => new() { Type = JsonSchemaType.Integer, Format = "int64" },
        _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => new() { Type = JsonSchemaType.Number },
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => new() { Type = JsonSchemaType.String, Format = "date-time" },
        _ when type == typeof(DateOnly) => new() { Type = JsonSchemaType.String, Format = "date" },
        _ when type == typeof(TimeOnly) => new() { Type = JsonSchemaType.String, Format = "time" },
        _ when type == typeof(TimeSpan) => new() { Type = JsonSchemaType.String, Description = "A duration as [d.]hh:mm:ss." },
        _ when type == typeof(Guid) => new() { Type = JsonSchemaType.String, Format = "uuid" },
        _ when type == typeof(Uri) => new() { Type = JsonSchemaType.String, Format = "uri" },
        _ when type == typeof(JsonElement) || type == typeof(JsonNode) || type == typeof(object) => new(),
        _ => null,
    };

    private static Type ElementType(Type enumerable) =>
        enumerable.IsArray
            ? enumerable.GetElementType()!
            : (enumerable.IsGenericType && enumerable.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? enumerable : enumerable.GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))).GetGenericArguments()[0];

    private OpenApiSchemaReference Component(Type type, JsonTypeInfo info)
    {
        if (!names.TryGetValue(type, out var name))
        {
            name = UniqueName(type);
            names[type] = name;
            var schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalPropertiesAllowed = false,
                Properties = new Dictionary<string, IOpenApiSchema>(),
                Required = new HashSet<string>(),
            };
            document.Components!.Schemas![name] = schema;
            var optionalParameters = info.CreateObject is null
                ? type.GetConstructors().SelectMany(c => c.GetParameters()).Where(p => p.HasDefaultValue).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase)
                : [];
            foreach (var property in info.Properties)
            {
                schema.Properties[property.Name] = For(property.PropertyType);
                var member = property.AttributeProvider as MemberInfo;
                if (!IsNullable(property.PropertyType, member) && !optionalParameters.Contains(member?.Name ?? property.Name))
                {
                    schema.Required.Add(property.Name);
                }
            }
        }

        return new OpenApiSchemaReference(name, document);
    }

    private bool IsNullable(Type type, MemberInfo? member)
    {
        if (!type.IsValueType)
        {
            return member switch
            {
                PropertyInfo property => nullability.Create(property).ReadState != NullabilityState.NotNull,
                FieldInfo field => nullability.Create(field).ReadState != NullabilityState.NotNull,
                _ => true,
            };
        }

        return Nullable.GetUnderlyingType(type) is not null;
    }

    /// <summary>The type's name, generic arguments spelled out (Page&lt;OrderView&gt; is OrderViewPage), qualified by its namespace's last part when two types share it.</summary>
    private string UniqueName(Type type)
    {
        var name = SimpleName(type);
        return names.ContainsValue(name) ? type.Namespace?.Split('.')[^1] + name : name;
    }

    private static string SimpleName(Type type) =>
        type.IsGenericType
            ? string.Concat(type.GetGenericArguments().Select(SimpleName)) + type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]
            : type.Name;
}
